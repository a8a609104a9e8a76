import { ENVIRONMENTS, SettingKind, SETTINGS } from "./schema";
import { expectation } from "./validate";

type Schema = Record<string, unknown>;

const PATTERNS: Partial<Record<SettingKind["type"], string>> = {
  name: "^[a-z][a-z0-9-]{0,39}$",
  sqlName: "^[a-z_][a-z0-9_]{0,62}$",
  tag: "^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$",
  dockerHost: "^(unix:///|tcp://|ssh://)",
  url: "^https?://",
};

function leaf(
  kind: SettingKind,
  optional: boolean,
  description: string,
): Schema {
  let schema: Schema;
  switch (kind.type) {
    case "integer":
    case "port":
      schema = {
        type: ["integer", "string"],
        minimum: kind.type === "port" ? 1 : kind.min,
        maximum: kind.type === "port" ? 65535 : kind.max,
      };
      break;
    case "positiveNumber":
    case "cpus":
      schema = { type: ["number", "string"] };
      break;
    case "boolean":
      schema = { type: ["boolean", "string"] };
      break;
    case "enum":
      schema = { enum: [...kind.values] };
      break;
    default:
      schema = { type: "string", minLength: 1 };
      if (PATTERNS[kind.type]) schema.pattern = PATTERNS[kind.type];
  }
  const accepts = expectation(kind) + (optional ? "; or null" : "");
  const result: Schema = {
    description: `${description} Accepts ${accepts}.`,
    ...schema,
  };
  return optional ? { anyOf: [result, { type: "null" }] } : result;
}

/**
 * JSON Schema (draft 2020-12) of the SMART_ACCESS_CONFIG file, derived
 * from SETTINGS; config/smart-access-config.schema.json is its output.
 */
export function configJsonSchema(): Schema {
  const section: Schema = {
    type: "object",
    additionalProperties: false,
    properties: {},
  };
  for (const spec of SETTINGS) {
    const keys = spec.path.split(".");
    let node = section;
    for (const key of keys.slice(0, -1)) {
      const properties = node.properties as Record<string, Schema>;
      properties[key] ??= {
        type: "object",
        additionalProperties: false,
        properties: {},
      };
      node = properties[key];
    }
    (node.properties as Record<string, Schema>)[keys[keys.length - 1]] = leaf(
      spec.kind,
      spec.optional ?? false,
      spec.description,
    );
  }
  return {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    title: "Smart Access deployment configuration",
    description:
      "Overrides of the stacks' defaults, one object per stack. Generated from config/schema.ts.",
    type: "object",
    additionalProperties: false,
    properties: {
      $schema: { type: "string" },
      ...Object.fromEntries(ENVIRONMENTS.map((env) => [env, section])),
    },
  };
}
