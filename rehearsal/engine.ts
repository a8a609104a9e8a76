/**
 * Applies a plan on the real engine: destroys first (dependents before what
 * they depend on), then creates and updates in dependency order, saving the
 * state after every resource so an interrupted run can be resumed or undone.
 */
import {
  ApplyError,
  PartialCreate,
  RehearsalError,
  ValidationError,
  showValue,
} from "./errors";
import { DockerClient, dockerClient } from "./docker";
import {
  ExpressionError,
  containsUnknown,
  evaluate,
  isUnknown,
  parseTemplate,
  resolveValue,
} from "./expressions";
import { Graph, topologicalOrder } from "./graph";
import { Inputs, Plan, Resolver, formatPlan, plan } from "./plan";
import {
  PostgresProvider,
  SqlSession,
  openSession,
  postgresProvider,
} from "./postgres";
import { ApplyContext, Outputs } from "./resources/types";
import { ResourceConfig } from "./stack";
import { ResourceState, StateFile, storeAttributes, writeState } from "./state";

export interface EngineOptions extends Inputs {
  readonly stateFile: string;
  readonly log: (line: string) => void;
}

function elapsed(start: number): string {
  return `${((Date.now() - start) / 1000).toFixed(1)}s`;
}

export class Engine {
  private state: StateFile;
  private dockerClient?: DockerClient;
  private readonly sessions: SqlSession[] = [];

  constructor(private readonly options: EngineOptions) {
    this.state = structuredClone(options.state);
  }

  get currentState(): StateFile {
    return this.state;
  }

  private context(resolver: Resolver | undefined): ApplyContext {
    return {
      workDir: this.options.stack.workDir,
      log: this.options.log,
      docker: () => this.docker(resolver),
      postgres: (provider, database) =>
        this.postgres(resolver, provider, database),
    };
  }

  private docker(resolver: Resolver | undefined): DockerClient {
    if (this.dockerClient) return this.dockerClient;
    // provider.docker was checked with the plan (plan.ts providerProblems).
    const config = this.providerConfig(resolver, "docker");
    const host = String(
      config.host ?? process.env.DOCKER_HOST ?? "unix:///var/run/docker.sock",
    );
    this.dockerClient = dockerClient(host);
    return this.dockerClient;
  }

  private providerConfig(
    resolver: Resolver | undefined,
    key: string,
  ): Record<string, unknown> {
    const raw = this.options.stack.providers.get(key);
    if (!raw) return {};
    const scope = resolver ? resolver.scope(`provider.${key}`) : undefined;
    if (!scope) return raw;
    const r = resolveValue(raw, scope);
    if (containsUnknown(r.value)) {
      throw new RehearsalError(
        `provider.${key} depends on values known only after apply; the rehearsal needs them at plan time`,
      );
    }
    return r.value as Record<string, unknown>;
  }

  private async postgres(
    resolver: Resolver | undefined,
    key: string,
    database?: string,
  ): Promise<SqlSession> {
    const { provider, problems } = postgresProvider(
      key,
      this.providerConfig(resolver, key),
    );
    if (!provider) throw new ValidationError(problems);
    const session = await openSession(provider as PostgresProvider, database);
    this.sessions.push(session);
    return session;
  }

  private async closeSessions(): Promise<void> {
    await Promise.all(
      this.sessions.splice(0).map((s) => s.close().catch(() => undefined)),
    );
  }

  private save(): void {
    writeState(this.options.stateFile, this.state);
  }

  /** Plans against the live engine: the refresh asks each executor. */
  async plan(): Promise<{ plan: Plan; resolver: Resolver }> {
    const ctx = this.context(undefined);
    return plan(this.options, async (_address, entry) => {
      const handler = this.options.handlers.get(entry.type);
      if (!handler?.exists || entry.provider.startsWith("postgresql"))
        return true;
      return handler.exists(ctx, entry);
    });
  }

  async apply(): Promise<{ plan: Plan; lines: string[] }> {
    const { plan: p, resolver } = await this.plan();
    const lines = formatPlan(p);
    try {
      await this.destroyPhase(p, resolver);
      await this.createPhase(p, resolver);
      this.writeOutputs(resolver);
    } finally {
      this.save();
      await this.closeSessions();
    }
    return { plan: p, lines };
  }

  /** Destroys everything in the state, dependents first. */
  async destroyAll(): Promise<number> {
    const addresses = Object.keys(this.state.resources);
    const order = this.destroyOrder(new Map(), addresses);
    // Provider blocks still need their variables (the database password).
    const resolver = new Resolver(this.options);
    resolver.useState(this.state);
    try {
      for (const address of order) await this.destroyOne(resolver, address);
      this.state = { ...this.state, outputs: {} };
    } finally {
      this.save();
      await this.closeSessions();
    }
    return order.length;
  }

  private destroyOrder(configGraph: Graph, addresses: string[]): string[] {
    const graph = new Map<string, Set<string>>();
    for (const [a, deps] of configGraph) graph.set(a, new Set(deps));
    for (const [a, entry] of Object.entries(this.state.resources)) {
      const deps = graph.get(a) ?? new Set<string>();
      entry.dependencies.forEach((d) => deps.add(d));
      graph.set(a, deps);
    }
    const wanted = new Set(addresses);
    return topologicalOrder(graph)
      .reverse()
      .filter((a) => wanted.has(a));
  }

  private async destroyPhase(p: Plan, resolver: Resolver): Promise<void> {
    const doomed = p.changes
      .filter((c) => c.action === "destroy" || c.action === "replace")
      .map((c) => c.address)
      .filter((a) => this.state.resources[a]);
    for (const address of this.destroyOrder(p.graph, doomed)) {
      await this.destroyOne(resolver, address);
    }
  }

  private async destroyOne(
    resolver: Resolver | undefined,
    address: string,
  ): Promise<void> {
    const entry = this.state.resources[address];
    const handler = this.options.handlers.get(entry.type);
    if (!handler) {
      throw new RehearsalError(
        `${address} is in the state but its type ${entry.type} is not supported; remove it by hand and delete it from ${this.options.stateFile}`,
      );
    }
    const start = Date.now();
    this.options.log(`${address}: destroying`);
    await handler.destroy(this.context(resolver), address, entry);
    delete this.state.resources[address];
    this.save();
    this.options.log(`${address}: destroyed in ${elapsed(start)}`);
  }

  private async createPhase(p: Plan, resolver: Resolver): Promise<void> {
    const byAddress = new Map(
      this.options.stack.resources.map((r) => [r.address, r]),
    );
    const ctx = this.context(resolver);
    resolver.useState(this.state);

    for (const address of p.order) {
      const change = p.byAddress.get(address)!;
      const config = byAddress.get(address)!;
      const handler = this.options.handlers.get(config.type)!;
      const { attrs, sensitive } = resolver.resolve(config);
      if (resolver.problems.length > 0)
        throw new ValidationError(resolver.problems);

      if (change.action === "noop") {
        this.checkPostconditions(
          resolver,
          config,
          attrs,
          this.state.resources[address].outputs,
          false,
        );
        continue;
      }
      if (containsUnknown(attrs)) {
        throw new ApplyError(address, "arguments still unknown at apply time");
      }

      const start = Date.now();
      const verb = change.action === "update" ? "updating" : "creating";
      this.options.log(`${address}: ${verb}`);
      const desired = { address, provider: config.provider, attrs };
      let outputs: Outputs;
      try {
        outputs =
          change.action === "update" && handler.update
            ? await handler.update(
                ctx,
                desired,
                this.state.resources[address],
                change.changed,
              )
            : await handler.create(ctx, desired);
      } catch (err) {
        if (err instanceof PartialCreate) {
          this.record(address, config, attrs, sensitive, err.outputs, p, true);
        }
        throw err;
      }
      resolver.pending.delete(address);
      this.record(address, config, attrs, sensitive, outputs, p, false);
      try {
        this.checkPostconditions(resolver, config, attrs, outputs, true);
      } catch (err) {
        // A failed postcondition leaves the object tainted, so the next
        // deploy replaces it instead of trusting it.
        this.record(address, config, attrs, sensitive, outputs, p, true);
        throw err;
      }
      this.options.log(
        `${address}: ${change.action === "update" ? "updated" : "created"} in ${elapsed(start)}`,
      );
    }
  }

  private record(
    address: string,
    config: ResourceConfig,
    attrs: Record<string, unknown>,
    sensitive: Set<string>,
    outputs: Outputs,
    p: Plan,
    tainted: boolean,
  ): void {
    const entry: ResourceState = {
      type: config.type,
      provider: config.provider,
      dependencies: [...(p.graph.get(address) ?? [])],
      attributes: storeAttributes(address, attrs, sensitive),
      outputs,
      ...(tainted ? { tainted: true } : {}),
    };
    this.state.resources[address] = entry;
    this.save();
  }

  private checkPostconditions(
    resolver: Resolver,
    config: ResourceConfig,
    attrs: Record<string, unknown>,
    outputs: Outputs,
    strict: boolean,
  ): void {
    for (const post of config.postconditions) {
      const result = evaluatePostcondition(
        post.condition,
        resolver,
        config.address,
        { ...attrs, ...outputs },
      );
      if (result === false) {
        throw new ApplyError(
          config.address,
          `postcondition failed: ${post.errorMessage}`,
          config.type === "docker_container" ? String(attrs.name) : undefined,
        );
      }
      if (result === undefined && strict) {
        throw new ApplyError(
          config.address,
          `postcondition ${post.condition} could not be decided after apply`,
        );
      }
    }
  }

  private writeOutputs(resolver: Resolver): void {
    const outputs: StateFile["outputs"] = {};
    for (const [name, output] of this.options.stack.outputs) {
      const r = resolveValue(output.value, resolver.scope(`output.${name}`));
      outputs[name] = output.sensitive
        ? { sensitive: true }
        : { value: r.value, sensitive: false };
    }
    this.state = { ...this.state, outputs };
  }
}

/**
 * Evaluates a postcondition with `self` bound to the resource's attributes
 * and computed outputs. Returns undefined when the value is not known.
 */
export function evaluatePostcondition(
  condition: string,
  resolver: Resolver,
  address: string,
  self: Record<string, unknown>,
): boolean | undefined {
  let value: unknown;
  try {
    value = evaluate(
      parseTemplate(condition),
      resolver.scope(address, self),
    ).value;
  } catch (err) {
    if (err instanceof ExpressionError) {
      throw new ApplyError(
        address,
        `cannot evaluate postcondition ${condition}: ${err.message}`,
      );
    }
    throw err;
  }
  if (isUnknown(value)) return undefined;
  if (typeof value !== "boolean") {
    throw new ApplyError(
      address,
      `postcondition ${condition} gave ${showValue(value)}, not a bool`,
    );
  }
  return value;
}
