/**
 * Planning: resolve every resource's arguments in dependency order, check
 * them against what the rehearsal honours, and diff them with the state.
 * Every problem is collected and reported at once, before anything runs.
 */
import { Problem, ValidationError, showValue } from "./errors";
import {
  ExpressionError,
  PathStep,
  Resolved,
  Scope,
  Unknown,
  containsUnknown,
  isUnknown,
  resolveValue,
} from "./expressions";
import { Graph, buildGraph, topologicalOrder } from "./graph";
import { postgresProvider } from "./postgres";
import { ResourceHandler } from "./resources/types";
import { check } from "./schema";
import { ResourceConfig, StackConfig } from "./stack";
import { ResourceState, StateFile, attributeHash } from "./state";

export type Action = "create" | "replace" | "update" | "noop" | "destroy";

export interface PlannedResource {
  readonly address: string;
  readonly action: Action;
  /** Attributes whose change caused the action (empty for create/noop). */
  readonly changed: readonly string[];
  /** Why, when it is not a plain attribute change (tainted, gone, …). */
  readonly reason?: string;
}

export interface Plan {
  readonly order: readonly string[];
  readonly graph: Graph;
  /** In apply order; destroys of removed resources come last. */
  readonly changes: readonly PlannedResource[];
  readonly byAddress: ReadonlyMap<string, PlannedResource>;
}

/** Values the plan and the apply both read: variables, state, handlers. */
export interface Inputs {
  readonly stack: StackConfig;
  readonly state: StateFile;
  readonly handlers: ReadonlyMap<string, ResourceHandler>;
  /** Usually process.env; TF_VAR_<name> supplies variable <name>. */
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** Resolved attributes of one resource with their sensitivity. */
export interface ResolvedResource {
  readonly attrs: Record<string, unknown>;
  readonly sensitive: Set<string>;
}

export class Resolver {
  readonly variables = new Map<string, Resolved>();
  readonly resolved = new Map<string, ResolvedResource>();
  /** Addresses whose computed attributes are not known yet. */
  readonly pending = new Set<string>();
  readonly problems: Problem[] = [];
  private readonly byAddress: Map<string, ResourceConfig>;
  private state: StateFile;

  constructor(private readonly inputs: Inputs) {
    this.state = inputs.state;
    this.byAddress = new Map(inputs.stack.resources.map((r) => [r.address, r]));
    for (const [name, v] of inputs.stack.variables) {
      const fromEnv = inputs.env[`TF_VAR_${name}`];
      if (fromEnv === undefined && !v.hasDefault) {
        this.problems.push({
          address: `var.${name}`,
          attribute: "",
          message: `no value: set TF_VAR_${name}${v.sensitive ? " (sensitive; scripts/deploy.ts generates it into secrets.json)" : ""}`,
        });
        continue;
      }
      const value =
        fromEnv === undefined ? v.default : convertVariable(fromEnv, v.type);
      this.variables.set(name, { value, sensitive: v.sensitive });
    }
  }

  /** From apply on, references read the live state, not the planned one. */
  useState(state: StateFile): void {
    this.state = state;
  }

  /** The scope for expressions inside `address` (self = the resource). */
  scope(address: string, self?: Record<string, unknown>): Scope {
    return {
      variable: (name) => {
        const v = this.variables.get(name);
        if (v) return v;
        if (this.inputs.stack.variables.has(name)) {
          return {
            value: new Unknown(`var.${name} has no value`),
            sensitive: true,
          };
        }
        throw new ExpressionError(`variable '${name}' is not declared`);
      },
      local: (name) => {
        if (!(name in this.inputs.stack.locals)) {
          throw new ExpressionError(`local '${name}' is not declared`);
        }
        return resolveValue(
          this.inputs.stack.locals[name],
          this.scope(address),
        );
      },
      self: (path) => {
        if (!self)
          throw new ExpressionError("'self' is only valid in conditions");
        return { value: navigate(self, path), sensitive: false };
      },
      resource: (target, path) => this.reference(target, path),
    };
  }

  private reference(target: string, path: PathStep[]): Resolved {
    const config = this.byAddress.get(target);
    if (!config)
      throw new ExpressionError(`resource ${target} is not declared`);
    const handler = this.inputs.handlers.get(config.type);
    const [attr, ...rest] = path;
    if (typeof attr !== "string") {
      throw new ExpressionError(
        `reference to ${target} must name an attribute`,
      );
    }
    const known = this.resolved.get(target);
    if (handler?.computed.includes(attr)) {
      const entry = this.state.resources[target];
      if (this.pending.has(target) || !entry) {
        return { value: new Unknown(`${target}.${attr}`), sensitive: false };
      }
      return { value: navigate(entry.outputs[attr], rest), sensitive: false };
    }
    if (!known) {
      return { value: new Unknown(`${target}.${attr}`), sensitive: false };
    }
    return {
      value: navigate(known.attrs[attr] ?? null, rest),
      sensitive: known.sensitive.has(attr),
    };
  }

  /** Resolves and checks one resource's attributes; problems are recorded. */
  resolve(config: ResourceConfig): ResolvedResource {
    const handler = this.inputs.handlers.get(config.type);
    const raw: Record<string, unknown> = {};
    const sensitive = new Set<string>(handler?.sensitive ?? []);
    const scope = this.scope(config.address);
    for (const [key, value] of Object.entries(config.attributes)) {
      try {
        const r = resolveValue(value, scope);
        raw[key] = r.value;
        if (r.sensitive) sensitive.add(key);
      } catch (err) {
        if (!(err instanceof ExpressionError)) throw err;
        this.problems.push({
          address: config.address,
          attribute: key,
          message: `cannot evaluate ${showValue(value)}: ${err.message}`,
        });
      }
    }
    let attrs = raw;
    if (handler) {
      const checked = check(config.address, handler.schema, raw, sensitive);
      this.problems.push(...checked.problems);
      attrs = checked.value;
      if (handler.validate) {
        this.problems.push(...handler.validate(config.address, attrs));
      }
    }
    const result = { attrs, sensitive };
    this.resolved.set(config.address, result);
    return result;
  }
}

function convertVariable(value: string, type?: string): unknown {
  if (type === "number" && value.trim() !== "" && !isNaN(Number(value))) {
    return Number(value);
  }
  if (type === "bool" && (value === "true" || value === "false")) {
    return value === "true";
  }
  return value;
}

export function navigate(value: unknown, path: readonly PathStep[]): unknown {
  let v = value;
  for (const step of path) {
    if (isUnknown(v)) return v;
    // Single nested blocks are lists of one in Terraform's type system.
    if (typeof step === "number") {
      v = Array.isArray(v) ? v[step] : step === 0 ? v : undefined;
    } else if (Array.isArray(v) && v.length === 1) {
      v = (v[0] as Record<string, unknown>)?.[step];
    } else {
      v = (v as Record<string, unknown> | null)?.[step];
    }
    if (v === undefined) {
      throw new ExpressionError(
        `no attribute or index ${JSON.stringify(step)}`,
      );
    }
  }
  return v;
}

/** Which attributes differ between the desired values and a state entry. */
export function changedAttributes(
  address: string,
  desired: Record<string, unknown>,
  entry: ResourceState,
): string[] {
  const keys = new Set([
    ...Object.keys(desired).filter((k) => desired[k] !== undefined),
    ...Object.keys(entry.attributes),
  ]);
  const changed: string[] = [];
  for (const key of [...keys].sort()) {
    const want = desired[key];
    const had = entry.attributes[key];
    if (want === undefined || want === null) {
      if (had !== undefined && had.value !== null) changed.push(key);
      continue;
    }
    if (!had || containsUnknown(want)) {
      changed.push(key);
      continue;
    }
    if (attributeHash(address, key, want) !== had.hash) changed.push(key);
  }
  return changed;
}

/**
 * Builds the plan. `exists` is the refresh step: it reports whether a
 * resource in the state still exists (unit tests pass a stub).
 */
export async function plan(
  inputs: Inputs,
  exists: (
    address: string,
    entry: ResourceState,
  ) => Promise<boolean> = async () => true,
): Promise<{ plan: Plan; resolver: Resolver }> {
  const { stack, state, handlers } = inputs;
  const resolver = new Resolver(inputs);
  resolver.problems.push(...stack.problems);

  for (const r of stack.resources) {
    if (!handlers.has(r.type)) {
      resolver.problems.push({
        address: r.address,
        attribute: "",
        message: `resource type ${r.type} is not supported by the rehearsal (supported: ${[...handlers.keys()].join(", ")})`,
      });
    }
  }

  const graph = buildGraph(stack);
  const order = topologicalOrder(graph);
  const byAddress = new Map(stack.resources.map((r) => [r.address, r]));
  const planned = new Map<string, PlannedResource>();

  for (const address of order) {
    const config = byAddress.get(address)!;
    const handler = handlers.get(config.type);
    const { attrs } = resolver.resolve(config);
    const entry = state.resources[address];

    let result: PlannedResource;
    if (!entry) {
      result = { address, action: "create", changed: [] };
    } else if (entry.tainted) {
      result = { address, action: "replace", changed: [], reason: "tainted" };
    } else if (!(await exists(address, entry))) {
      result = {
        address,
        action: "create",
        changed: [],
        reason: "gone from the engine",
      };
    } else {
      const changed = changedAttributes(address, attrs, entry);
      const inPlace = new Set(handler?.inPlace ?? []);
      const action: Action =
        changed.length === 0
          ? "noop"
          : changed.every((c) => inPlace.has(c))
            ? "update"
            : "replace";
      result = { address, action, changed };
    }
    if (result.action === "create" || result.action === "replace") {
      resolver.pending.add(address);
    }
    planned.set(address, result);
  }

  for (const [name, output] of stack.outputs) {
    try {
      const r = resolveValue(output.value, resolver.scope(`output.${name}`));
      if (r.sensitive && !output.sensitive) {
        resolver.problems.push({
          address: `output.${name}`,
          attribute: "",
          message:
            "refers to sensitive values; Terraform refuses this unless the output is marked sensitive",
        });
      }
    } catch (err) {
      if (!(err instanceof ExpressionError)) throw err;
      resolver.problems.push({
        address: `output.${name}`,
        attribute: "",
        message: `cannot evaluate ${showValue(output.value)}: ${err.message}`,
      });
    }
  }

  resolver.problems.push(...providerProblems(stack, resolver));
  if (resolver.problems.length > 0)
    throw new ValidationError(resolver.problems);

  const removed = Object.keys(state.resources)
    .filter((a) => !byAddress.has(a))
    .map(
      (address): PlannedResource => ({
        address,
        action: "destroy",
        changed: [],
      }),
    );
  for (const r of removed) planned.set(r.address, r);

  const changes = [
    ...order.map((a) => planned.get(a)!).filter((p) => p.action !== "noop"),
    ...removed,
  ];
  return { plan: { order, graph, changes, byAddress: planned }, resolver };
}

/**
 * Provider blocks are checked with everything else, so that a setting the
 * rehearsal cannot honour stops it before the first resource is created.
 */
function providerProblems(stack: StackConfig, resolver: Resolver): Problem[] {
  const problems: Problem[] = [];
  for (const [key, raw] of stack.providers) {
    const address = `provider.${key}`;
    let config: Record<string, unknown>;
    try {
      config = resolveValue(raw, resolver.scope(address)).value as Record<
        string,
        unknown
      >;
    } catch (err) {
      if (!(err instanceof ExpressionError)) throw err;
      problems.push({ address, attribute: "", message: err.message });
      continue;
    }
    if (containsUnknown(config)) {
      // A variable without a value is reported once, as itself.
      if (resolver.problems.some((p) => p.address.startsWith("var."))) continue;
      problems.push({
        address,
        attribute: "",
        message:
          "depends on values known only after apply; the rehearsal needs them at plan time",
      });
      continue;
    }
    const name = key.split(".")[0];
    if (name === "postgresql") {
      problems.push(...postgresProvider(key, config).problems);
    } else if (name === "docker") {
      for (const [k, v] of Object.entries(config)) {
        if (k !== "host") {
          problems.push({
            address,
            attribute: k,
            message: `provider setting is not supported by the rehearsal (got ${showValue(v)})`,
          });
        }
      }
      const host = config.host;
      if (host !== undefined && !/^unix:\/\/\//.test(String(host))) {
        problems.push({
          address,
          attribute: "host",
          message: `got ${showValue(host)}; the rehearsal accepts unix:///path/to/docker.sock only (ssh:// and tcp:// need real Terraform)`,
        });
      }
    } else {
      problems.push({
        address,
        attribute: "",
        message: `provider ${name} is not supported by the rehearsal (supported: docker, postgresql)`,
      });
    }
  }
  return problems;
}

/** One line per change, in the style of `terraform plan`. */
export function formatPlan(p: Plan): string[] {
  return p.changes.map((c) => {
    const why = [
      ...(c.changed.length ? [`changed: ${c.changed.join(", ")}`] : []),
      ...(c.reason ? [c.reason] : []),
    ].join("; ");
    const suffix = why ? ` (${why})` : "";
    switch (c.action) {
      case "create":
        return `+ create ${c.address}${suffix}`;
      case "replace":
        return `-/+ replace ${c.address}${suffix}`;
      case "update":
        return `~ update in place ${c.address}${suffix}`;
      case "destroy":
        return `- destroy ${c.address}`;
      default:
        return `  ${c.address}`;
    }
  });
}

export { isUnknown };
