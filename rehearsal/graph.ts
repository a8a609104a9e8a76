/**
 * The dependency graph Terraform would build: an edge for every depends_on
 * entry and for every reference from a resource's arguments (directly, via
 * locals, or via the configuration of the provider it uses).
 */
import { RehearsalError } from "./errors";
import { Reference, valueReferences } from "./expressions";
import { StackConfig } from "./stack";

export type Graph = ReadonlyMap<string, ReadonlySet<string>>;

/** address → the addresses it depends on. */
export function buildGraph(stack: StackConfig): Graph {
  const known = new Set(stack.resources.map((r) => r.address));

  const resourceRefs = (
    refs: Reference[],
    seen = new Set<string>(),
  ): string[] =>
    refs.flatMap((ref) => {
      if (ref.kind === "resource") return [ref.address];
      if (ref.kind === "local" && !seen.has(ref.name)) {
        seen.add(ref.name);
        return resourceRefs(valueReferences(stack.locals[ref.name]), seen);
      }
      return [];
    });

  const providerDeps = new Map<string, string[]>();
  for (const [key, config] of stack.providers) {
    providerDeps.set(key, resourceRefs(valueReferences(config)));
  }

  const graph = new Map<string, Set<string>>();
  for (const r of stack.resources) {
    const deps = new Set<string>([
      ...r.dependsOn,
      ...resourceRefs(valueReferences(r.attributes)),
      ...(providerDeps.get(r.provider) ?? []),
    ]);
    deps.delete(r.address);
    for (const dep of deps) {
      if (!known.has(dep)) {
        throw new RehearsalError(
          `${r.address} depends on ${dep}, which is not declared in the stack`,
        );
      }
    }
    graph.set(r.address, deps);
  }
  return graph;
}

/**
 * Dependencies first; among independent resources the declaration order is
 * kept, so the order is stable from run to run.
 */
export function topologicalOrder(graph: Graph): string[] {
  const order: string[] = [];
  const state = new Map<string, "visiting" | "done">();
  const stack: string[] = [];

  const visit = (address: string): void => {
    const s = state.get(address);
    if (s === "done") return;
    if (s === "visiting") {
      const cycle = [...stack.slice(stack.indexOf(address)), address];
      throw new RehearsalError(
        `dependency cycle between resources: ${cycle.join(" -> ")}`,
      );
    }
    state.set(address, "visiting");
    stack.push(address);
    for (const dep of graph.get(address) ?? []) visit(dep);
    stack.pop();
    state.set(address, "done");
    order.push(address);
  };

  for (const address of graph.keys()) visit(address);
  return order;
}

/** Everything that depends on `address`, directly or not. */
export function dependents(graph: Graph, address: string): Set<string> {
  const found = new Set<string>();
  let grew = true;
  while (grew) {
    grew = false;
    for (const [node, deps] of graph) {
      if (found.has(node)) continue;
      if (deps.has(address) || [...deps].some((d) => found.has(d))) {
        found.add(node);
        grew = true;
      }
    }
  }
  return found;
}
