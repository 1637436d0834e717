import fc from "fast-check";
import { nastyString, nastyValue } from "./arbitraries";

/**
 * fast-check generators drawn from the JSON Schemas of the served OpenAPI document: values
 * the document calls valid, and values it calls invalid. Only the keywords the document
 * uses are read; a schema with one the generator does not know fails loudly, so a new kind
 * of field cannot quietly go unfuzzed.
 */

export type JsonSchema = Record<string, unknown>;

const KNOWN = new Set([
  "type",
  "enum",
  "const",
  "pattern",
  "format",
  "minLength",
  "maxLength",
  "minimum",
  "maximum",
  "exclusiveMinimum",
  "exclusiveMaximum",
  "properties",
  "required",
  "additionalProperties",
  "items",
  "minItems",
  "maxItems",
  "anyOf",
  "oneOf",
  "default",
  "description",
  "examples",
]);

/** Hosts no request leaves the test for: nothing may call out. */
const URLS = ["https://hooks.example.test/credit", "https://alerts.example.test/a?b=1"];

function patternString(pattern: string, minLength = 0, maxLength = 10_000): fc.Arbitrary<string> {
  const regex = new RegExp(pattern);
  return fc
    .stringMatching(regex)
    .filter((s) => s.length >= minLength && s.length <= maxLength && regex.test(s));
}

function validString(schema: JsonSchema): fc.Arbitrary<string> {
  const min = (schema.minLength as number | undefined) ?? 0;
  const max = (schema.maxLength as number | undefined) ?? 200;
  switch (schema.format) {
    case "email":
      return fc
        .tuple(
          fc.stringMatching(/^[a-z0-9]{1,20}$/),
          fc.constantFrom("example.test", "x.example.com"),
        )
        .map(([user, host]) => `${user}@${host}`);
    case "date-time":
      return fc
        .date({ min: new Date("2020-01-01T00:00:00Z"), max: new Date("2030-01-01T00:00:00Z") })
        .filter((d) => !Number.isNaN(d.getTime()))
        .map((d) => d.toISOString());
    case "uri":
      return fc.constantFrom(...URLS);
    case undefined:
      break;
    default:
      throw new Error(`schema-arbitraries: unknown format ${String(schema.format)}`);
  }
  if (typeof schema.pattern === "string") return patternString(schema.pattern, min, max);
  return fc.string({ minLength: min, maxLength: Math.min(max, 40), unit: "grapheme-ascii" });
}

/** A value the schema accepts. */
export function validValue(schema: JsonSchema, depth = 0): fc.Arbitrary<unknown> {
  const unknown = Object.keys(schema).filter((key) => !KNOWN.has(key));
  if (unknown.length > 0) throw new Error(`schema-arbitraries: unknown keywords ${unknown}`);
  if ("const" in schema) return fc.constant(schema.const);
  if (Array.isArray(schema.enum)) return fc.constantFrom(...(schema.enum as unknown[]));
  const choices = (schema.anyOf ?? schema.oneOf) as JsonSchema[] | undefined;
  if (choices) return fc.oneof(...choices.map((choice) => validValue(choice, depth)));
  const type = Array.isArray(schema.type) ? schema.type : [schema.type];
  if (type.length > 1)
    return fc.oneof(...type.map((t) => validValue({ ...schema, type: t }, depth)));
  switch (type[0]) {
    case "string":
      return validString(schema);
    case "integer":
    case "number": {
      const min = (schema.minimum as number | undefined) ?? -1_000_000;
      const max = (schema.maximum as number | undefined) ?? 1_000_000;
      return type[0] === "integer"
        ? fc.integer({ min: Math.ceil(min), max: Math.floor(max) })
        : fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
    }
    case "boolean":
      return fc.boolean();
    case "null":
      return fc.constant(null);
    case "array": {
      const items = (schema.items as JsonSchema | undefined) ?? {};
      return fc.array(validValue(items, depth + 1), {
        minLength: (schema.minItems as number | undefined) ?? 0,
        maxLength: Math.min((schema.maxItems as number | undefined) ?? 4, 4),
      });
    }
    case "object":
    case undefined: {
      const properties = (schema.properties as Record<string, JsonSchema> | undefined) ?? {};
      if (Object.keys(properties).length === 0 && type[0] === undefined) return nastyValue;
      const required = (schema.required as string[] | undefined) ?? [];
      return fc.record(
        Object.fromEntries(
          Object.entries(properties).map(([name, property]) => [
            name,
            validValue(property, depth + 1),
          ]),
        ),
        { requiredKeys: required },
      );
    }
    default:
      throw new Error(`schema-arbitraries: unknown type ${String(type[0])}`);
  }
}

/** Values of the wrong kind for any field: other JSON types and the strings that break parsers. */
const wrongValue = fc.oneof(
  nastyValue,
  nastyString,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constant([]),
  fc.constant({}),
);

/**
 * A value the schema refuses, or close to it: one field dropped, one of the wrong kind, an
 * unknown one, or the whole value replaced. Not every draw is invalid (a wrong value can land
 * on a valid one); the fuzz asserts what every answer must be, valid input or not.
 */
export function invalidValue(schema: JsonSchema): fc.Arbitrary<unknown> {
  const properties = schema.properties as Record<string, JsonSchema> | undefined;
  if (!properties || Object.keys(properties).length === 0) return wrongValue;
  const names = Object.keys(properties);
  return fc.oneof(
    { weight: 1, arbitrary: wrongValue },
    {
      weight: 3,
      arbitrary: fc
        .tuple(validValue(schema), fc.constantFrom(...names), wrongValue)
        .map(([value, name, wrong]) => ({ ...(value as object), [name]: wrong })),
    },
    {
      weight: 1,
      arbitrary: fc.tuple(validValue(schema), fc.constantFrom(...names)).map(([value, name]) => {
        const copy = { ...(value as Record<string, unknown>) };
        delete copy[name];
        return copy;
      }),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(validValue(schema), nastyString, wrongValue)
        .map(([value, name, wrong]) => ({ ...(value as object), [name]: wrong })),
    },
  );
}

/** A string the schema refuses, or a hostile one. */
export function invalidString(schema: JsonSchema): fc.Arbitrary<string> {
  return fc.oneof(
    nastyString,
    fc.string({ maxLength: 300 }),
    validValue(schema).map((value) => `${String(value)} `),
    validValue(schema).map((value) => `0x${String(value)}`),
  );
}
