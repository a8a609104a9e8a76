import { RehearsalError } from "../../rehearsal/errors";
import { buildGraph, topologicalOrder } from "../../rehearsal/graph";
import { fixture } from "./helpers";

describe("graph", () => {
  test("every depends_on entry and every reference is an edge", () => {
    const graph = buildGraph(fixture());
    expect([...graph.get("docker_container.db")!]).toEqual([
      "docker_network.net",
    ]);
    expect([...graph.get("postgresql_role.app")!]).toEqual([
      "docker_container.db",
    ]);
    expect([...graph.get("docker_container.migrate")!].sort()).toEqual([
      "docker_image.api",
      "postgresql_role.app",
    ]);
    expect([...graph.get("docker_container.api")!].sort()).toEqual([
      "docker_container.db",
      "docker_container.migrate",
      "docker_image.api",
    ]);
  });

  test("the order puts every dependency before its dependents", () => {
    const graph = buildGraph(fixture());
    const order = topologicalOrder(graph);
    for (const [node, deps] of graph) {
      for (const dep of deps)
        expect(order.indexOf(dep)).toBeLessThan(order.indexOf(node));
    }
    expect(order).toEqual([
      "docker_network.net",
      "docker_image.api",
      "docker_container.db",
      "postgresql_role.app",
      "docker_container.migrate",
      "docker_container.api",
    ]);
  });

  test("a cycle fails naming its members", () => {
    const stack = fixture((json) => {
      json.resource.docker_network.net.depends_on = ["docker_container.api"];
    });
    expect(() => topologicalOrder(buildGraph(stack))).toThrow(RehearsalError);
    expect(() => topologicalOrder(buildGraph(stack))).toThrow(
      /dependency cycle between resources: .*docker_network\.net.*docker_network\.net/,
    );
  });

  test("a depends_on entry naming no resource fails", () => {
    const stack = fixture((json) => {
      json.resource.docker_network.net.depends_on = ["docker_volume.nope"];
    });
    expect(() => buildGraph(stack)).toThrow(
      /docker_network.net depends on docker_volume.nope/,
    );
  });
});
