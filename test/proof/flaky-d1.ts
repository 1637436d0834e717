/**
 * A D1 binding that fails the statements a test chooses, as D1 does when it is overloaded,
 * restarting or unreachable: the call rejects with a D1_ERROR and nothing is written.
 * Everything else goes to the real database.
 */
export type FaultRule = (sql: string) => boolean;

const realStatements = new WeakMap<object, D1PreparedStatement>();
const sqlOfStatements = new WeakMap<object, string>();

const fault = (sql: string) =>
  Promise.reject(new Error(`D1_ERROR: injected fault in ${sql.replace(/\s+/g, " ").slice(0, 60)}`));

function wrapStatement(
  statement: D1PreparedStatement,
  sql: string,
  shouldFail: FaultRule,
): D1PreparedStatement {
  const proxy = new Proxy(statement, {
    get(target, prop) {
      if (prop === "bind")
        return (...values: unknown[]) => wrapStatement(target.bind(...values), sql, shouldFail);
      if (prop === "first" || prop === "run" || prop === "all" || prop === "raw") {
        return (...args: unknown[]) =>
          shouldFail(sql)
            ? fault(sql)
            : (target[prop] as (...a: unknown[]) => Promise<unknown>).apply(target, args);
      }
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  realStatements.set(proxy, statement);
  sqlOfStatements.set(proxy, sql);
  return proxy;
}

/** `db` with every statement for which `shouldFail(sql)` answers true (asked at each execution) failing. */
export function flakyD1(db: D1Database, shouldFail: FaultRule): D1Database {
  return new Proxy(db, {
    get(target, prop) {
      if (prop === "prepare")
        return (sql: string) => wrapStatement(target.prepare(sql), sql, shouldFail);
      if (prop === "batch") {
        return (statements: D1PreparedStatement[]) => {
          const failing = statements
            .map((s) => sqlOfStatements.get(s) ?? "")
            .find((sql) => shouldFail(sql));
          if (failing !== undefined) return fault(failing);
          return target.batch(statements.map((s) => realStatements.get(s) ?? s));
        };
      }
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

/** Fails statements matching `pattern` after `passes` of them went through, `times` times (default: for ever). */
export function failAfter(
  pattern: RegExp,
  passes: number,
  times = Number.POSITIVE_INFINITY,
): FaultRule {
  let seen = 0;
  let failed = 0;
  return (sql) => {
    if (!pattern.test(sql)) return false;
    seen += 1;
    if (seen <= passes || failed >= times) return false;
    failed += 1;
    return true;
  };
}
