/**
 * Reads one synthesized stack (cdktf.out/stacks/<stack>/cdk.tf.json) into the
 * shapes the engine works with. Meta-arguments the rehearsal cannot honour
 * (count, for_each, provisioners, data sources, …) become problems here.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { Problem, RehearsalError } from "./errors";

export interface Postcondition {
  readonly condition: string;
  readonly errorMessage: string;
}

export interface ResourceConfig {
  readonly type: string;
  readonly name: string;
  /** `<type>.<name>`, as Terraform prints it. */
  readonly address: string;
  /** The resource's arguments exactly as synthesized (templates unresolved). */
  readonly attributes: Record<string, unknown>;
  readonly dependsOn: readonly string[];
  readonly postconditions: readonly Postcondition[];
  /** Provider configuration key: `docker`, or `postgresql.<alias>`. */
  readonly provider: string;
}

export interface VariableConfig {
  readonly sensitive: boolean;
  readonly hasDefault: boolean;
  readonly default?: unknown;
  readonly type?: string;
}

export interface OutputConfig {
  readonly value: unknown;
  readonly sensitive: boolean;
}

export interface StackConfig {
  /** Terraform's working directory for the stack: where paths resolve. */
  readonly workDir: string;
  readonly providers: ReadonlyMap<string, Record<string, unknown>>;
  readonly variables: ReadonlyMap<string, VariableConfig>;
  readonly locals: Readonly<Record<string, unknown>>;
  readonly resources: readonly ResourceConfig[];
  readonly outputs: ReadonlyMap<string, OutputConfig>;
  /** Problems found while reading; the engine reports them with its own. */
  readonly problems: readonly Problem[];
}

const TOP_LEVEL = new Set([
  "//",
  "terraform",
  "provider",
  "variable",
  "resource",
  "output",
  "locals",
]);
const META = new Set(["//", "depends_on", "lifecycle", "provider"]);
const LIFECYCLE = new Set(["postcondition", "create_before_destroy"]);

type Json = Record<string, unknown>;

function asObject(v: unknown): Json {
  return v && typeof v === "object" && !Array.isArray(v) ? (v as Json) : {};
}

/** The stack's synthesized file, as cdktf writes it. */
export function stackFile(outDir: string, stack: string): string {
  return path.join(outDir, "stacks", stack, "cdk.tf.json");
}

export function loadStack(outDir: string, stack: string): StackConfig {
  const file = stackFile(outDir, stack);
  if (!fs.existsSync(file)) {
    throw new RehearsalError(
      `no synthesized stack at ${file}; run \`npx cdktf synth\` first (stack names come from main.ts)`,
    );
  }
  let json: Json;
  try {
    json = JSON.parse(fs.readFileSync(file, "utf8")) as Json;
  } catch (err) {
    throw new RehearsalError(`${file} is not valid JSON: ${String(err)}`);
  }
  return parseStack(json, path.dirname(file));
}

export function parseStack(json: Json, workDir: string): StackConfig {
  const problems: Problem[] = [];

  for (const key of Object.keys(json)) {
    if (!TOP_LEVEL.has(key)) {
      problems.push({
        address: key,
        attribute: "",
        message: `top-level block '${key}' is not supported by the rehearsal (supported: ${[...TOP_LEVEL].filter((k) => k !== "//").join(", ")})`,
      });
    }
  }

  const providers = new Map<string, Json>();
  for (const [name, blocks] of Object.entries(asObject(json.provider))) {
    for (const block of Array.isArray(blocks) ? blocks : [blocks]) {
      const config = { ...asObject(block) };
      const alias = config.alias;
      delete config.alias;
      providers.set(alias ? `${name}.${String(alias)}` : name, config);
    }
  }

  const variables = new Map<string, VariableConfig>();
  for (const [name, raw] of Object.entries(asObject(json.variable))) {
    const v = asObject(raw);
    variables.set(name, {
      sensitive: v.sensitive === true,
      hasDefault: "default" in v,
      default: v.default,
      type: typeof v.type === "string" ? v.type : undefined,
    });
  }

  const resources: ResourceConfig[] = [];
  for (const [type, byName] of Object.entries(asObject(json.resource))) {
    for (const [name, raw] of Object.entries(asObject(byName))) {
      resources.push(parseResource(type, name, asObject(raw), problems));
    }
  }

  const outputs = new Map<string, OutputConfig>();
  for (const [name, raw] of Object.entries(asObject(json.output))) {
    const o = asObject(raw);
    outputs.set(name, { value: o.value, sensitive: o.sensitive === true });
  }

  return {
    workDir,
    providers,
    variables,
    locals: asObject(json.locals),
    resources,
    outputs,
    problems,
  };
}

function parseResource(
  type: string,
  name: string,
  raw: Json,
  problems: Problem[],
): ResourceConfig {
  const address = `${type}.${name}`;
  const attributes: Json = {};
  for (const [key, value] of Object.entries(raw)) {
    if (!META.has(key)) attributes[key] = value;
  }
  for (const meta of ["count", "for_each", "provisioner", "connection"]) {
    if (meta in attributes) {
      problems.push({
        address,
        attribute: meta,
        message: `the '${meta}' meta-argument is not supported by the rehearsal`,
      });
      delete attributes[meta];
    }
  }

  const dependsOn = Array.isArray(raw.depends_on)
    ? raw.depends_on.map(String)
    : [];

  const lifecycle = asObject(raw.lifecycle);
  const postconditions: Postcondition[] = [];
  for (const key of Object.keys(lifecycle)) {
    if (!LIFECYCLE.has(key)) {
      problems.push({
        address,
        attribute: `lifecycle.${key}`,
        message: `lifecycle setting '${key}' is not supported by the rehearsal (supported: postcondition)`,
      });
    }
  }
  if (lifecycle.create_before_destroy === true) {
    problems.push({
      address,
      attribute: "lifecycle.create_before_destroy",
      message:
        "got true; the rehearsal replaces by destroying first, as Terraform does by default",
    });
  }
  const rawPost = lifecycle.postcondition;
  for (const p of Array.isArray(rawPost) ? rawPost : rawPost ? [rawPost] : []) {
    const post = asObject(p);
    postconditions.push({
      condition: String(post.condition),
      errorMessage: String(post.error_message ?? "postcondition failed"),
    });
  }

  const provider =
    typeof raw.provider === "string"
      ? raw.provider
      : (type.split("_")[0] ?? type);

  return {
    type,
    name,
    address,
    attributes,
    dependsOn,
    postconditions,
    provider,
  };
}
