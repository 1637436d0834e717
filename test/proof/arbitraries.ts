import fc from "fast-check";

/**
 * Inputs a client should never send, and some a careless one will: the generators the
 * fuzz test draws bodies, path segments and queries from.
 */

/** One of the given values: the right values of a field, beside the wrong ones. */
export const one = <T>(...values: T[]) => fc.constantFrom(...values);

/** Strings that have broken parsers somewhere: number look-alikes, JS names, encodings. */
const NASTY_STRINGS = [
  "",
  " ",
  "\u0000",
  "\t\n",
  "null",
  "undefined",
  "true",
  "NaN",
  "Infinity",
  "-Infinity",
  "-0",
  "0x10",
  "1e3",
  "1e-7",
  "1e309",
  "__proto__",
  "constructor",
  "prototype",
  "toString",
  "hasOwnProperty",
  "[object Object]",
  "{}",
  "[]",
  "' OR 1=1 --",
  '"; DROP TABLE movements; --',
  "<script>alert(1)</script>",
  // A template injection probe, written as the literal text an attacker sends.
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the probe is this very text
  "${7*7}",
  "../../etc/passwd",
  "%00",
  "%2F",
  "😀💸",
  "\u202e\u0041\u0042",
  "\ud800",
  "١٢٣٫٤٥",
  "１２３",
  "Ⅻ",
  "+4930123456\n+4930123456",
  "Europe/Prague\u0000",
  "EUR ",
  "eur",
  "XTS",
  "primary ",
  "PRIMARY",
] as const;

/** Decimal strings at and past the contract's edges: 7 decimals, signs, exponents, huge. */
export const moneyLike: fc.Arbitrary<string> = fc.oneof(
  fc
    .tuple(fc.integer({ min: -1_000_000, max: 1_000_000 }), fc.integer({ min: 0, max: 9_999_999 }))
    .map(([units, fraction]) => `${units}.${String(fraction).padStart(7, "0")}`),
  fc
    .tuple(fc.integer({ min: -1_000, max: 1_000 }), fc.integer({ min: 0, max: 999_999 }))
    .map(([units, fraction]) => `${units}.${String(fraction).padStart(6, "0")}`),
  fc.double().map(String),
  fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }).map(String),
  fc.constantFrom(
    "0",
    "0.00",
    "-0.00",
    "+1.00",
    "1.",
    ".5",
    "01.00",
    "1,00",
    "1 000.00",
    "1_000",
    "0.0000001",
    "-1.00",
    "99999999999999999999.99",
    "9007199254740993",
    "1.000000",
    " 1.00",
    "1.00 ",
    "1.00\n",
  ),
);

/** One hostile string: the fixed list, unicode of every kind, long ones, money look-alikes. */
export const nastyString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...NASTY_STRINGS) },
  { weight: 2, arbitrary: fc.string({ unit: "grapheme", maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: "grapheme-ascii", minLength: 200, maxLength: 5_000 }) },
  { weight: 2, arbitrary: moneyLike },
);

/** Any JSON value a field could be given instead of the right one. */
export const nastyValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: nastyString },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  {
    weight: 1,
    arbitrary: fc.oneof(
      fc.integer(),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.constantFrom(0, -1, 2 ** 53 + 2, 1e308, -1e308, 0.1, 86_401, 1e21),
    ),
  },
  { weight: 1, arbitrary: fc.constantFrom(null, true, false, [], {}, [null], { value: "1.00" }) },
  { weight: 1, arbitrary: fc.array(nastyString, { maxLength: 3 }) },
);

/** Raw body texts that are not the JSON they claim to be, or are JSON of the wrong kind. */
export const rawJsonText: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.jsonValue({ maxDepth: 4 }).map((value) => JSON.stringify(value)),
  fc.constantFrom(
    "",
    "{",
    '{"a":',
    "nul",
    "null",
    "[]",
    '"text"',
    "1e999",
    "\ufeff{}",
    '{"__proto__": {"amount": "1.00", "admin": true}}',
    '{"constructor": {"prototype": {"x": 1}}}',
    `${"[".repeat(20_000)}${"]".repeat(20_000)}`,
    `{"a":${'{"a":'.repeat(5_000)}1${"}".repeat(5_001)}`,
    // Over the 64 KB JSON limit.
    JSON.stringify({ reason: "x".repeat(70_000) }),
    `{"amount": "1.00", "amount": 5}`,
  ),
);

/** A body for a route whose valid body has `fields`: wrong values for the right keys, or anything. */
export function bodyFor(
  fields: Record<string, fc.Arbitrary<unknown>>,
  valid: () => Record<string, unknown>,
): fc.Arbitrary<{ json?: unknown; raw?: string; contentType?: string }> {
  const keys = Object.keys(fields);
  const rightKeysWrongValues = fc.record(Object.fromEntries(keys.map((key) => [key, nastyValue])), {
    requiredKeys: [],
  });
  const oneFieldWrong =
    keys.length === 0
      ? fc.constant({})
      : fc
          .tuple(fc.constantFrom(...keys), nastyValue)
          .map(([key, value]) => ({ ...valid(), [key]: value }));
  const mixOfRightAndWrong = fc.record(
    Object.fromEntries(
      keys.map((key) => [key, fc.oneof(fields[key] as fc.Arbitrary<unknown>, nastyValue)]),
    ),
    { requiredKeys: [] },
  );
  const extraKeys = fc
    .dictionary(nastyString, nastyValue, { maxKeys: 3 })
    .map((extra) => ({ ...extra, ...valid() }));
  return fc.oneof(
    { weight: 3, arbitrary: oneFieldWrong.map((json) => ({ json })) },
    { weight: 2, arbitrary: rightKeysWrongValues.map((json) => ({ json })) },
    { weight: 2, arbitrary: mixOfRightAndWrong.map((json) => ({ json })) },
    { weight: 1, arbitrary: extraKeys.map((json) => ({ json })) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((json) => ({ json })) },
    { weight: 1, arbitrary: rawJsonText.map((raw) => ({ raw })) },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom(
          "text/plain",
          "application/x-www-form-urlencoded",
          "multipart/form-data; boundary=x",
          "application/jsonx",
          "",
          "text/csv",
        )
        .map((contentType) => ({ raw: JSON.stringify(valid()), contentType })),
    },
  );
}

/** Percent-encodes a path segment, as a client library would; lone surrogates become U+FFFD. */
export function encodeSegment(segment: string): string {
  return encodeURIComponent(segment.toWellFormed());
}

/** A path segment as it appears in the URL: mostly encoded text, sometimes a raw broken escape. */
export const pathSegment: fc.Arbitrary<string> = fc.oneof(
  { weight: 5, arbitrary: nastyString.map(encodeSegment) },
  { weight: 2, arbitrary: fc.stringMatching(/^[A-Za-z0-9._:@-]{1,140}$/) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      "%",
      "%G1",
      "%E0%80",
      "%C0%AF",
      "%ED%A0%80",
      "%FF",
      "%252F",
      "%2e%2e",
      "..",
      ".",
      "a%2Fb",
      "a;b",
      "a,b",
      "%20",
      "x".repeat(600),
      "exp_%2F",
      "top_%00aaaaaaaaaa",
      `atu_${"a".repeat(41)}`,
    ),
  },
);

/** A query string as it appears in the URL (without the `?`). */
export function queryFor(keys: readonly string[]): fc.Arbitrary<string> {
  const key = keys.length > 0 ? fc.oneof(fc.constantFrom(...keys), nastyString) : nastyString;
  const pairs = fc
    .array(
      fc.tuple(
        key,
        fc.oneof(
          nastyString,
          moneyLike,
          fc.constantFrom(
            "2026-11-01T00:00:00Z",
            "2026-13-45T99:99:99Z",
            "2026-11",
            "0",
            "-1",
            "501",
            "1.5",
          ),
        ),
      ),
    )
    .map((list) => {
      const params = new URLSearchParams();
      for (const [name, value] of list) params.append(name.toWellFormed(), value.toWellFormed());
      return params.toString();
    });
  const raw = fc.constantFrom(
    "%",
    "a=%ZZ",
    "=",
    "&&&",
    "a",
    "limit=1&limit=2",
    "__proto__=x",
    "cursor=%00",
    `q=${"x".repeat(8_000)}`,
    "month=2026-11&month=bad",
  );
  return fc.oneof({ weight: 4, arbitrary: pairs }, { weight: 1, arbitrary: raw });
}
