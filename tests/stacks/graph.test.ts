import * as fs from "fs";
import {
  GRAPH_DOCUMENT,
  renderDocument,
  renderMermaid,
  startupGraph,
  synthesizeDefaults,
} from "../../scripts/graph";

describe("docs/startup-graph.md", () => {
  const stacks = synthesizeDefaults();

  test("is the graph of the stacks as they synthesize now", () => {
    const committed = fs.readFileSync(GRAPH_DOCUMENT, "utf8");

    expect(committed).toBe(renderDocument(stacks));
  });

  test("shows an arrow from PostgreSQL to each database resource and on to the API", () => {
    const mermaid = renderMermaid(stacks.local);

    expect(mermaid).toMatch(/^flowchart TD/);
    expect(mermaid).toMatch(
      /docker_container_postgres_container_\w+ ==> postgresql_role_/,
    );
    expect(mermaid).toMatch(
      /postgresql_role_\w+ ==> docker_container_app_migration_/,
    );
    expect(mermaid).toMatch(
      /docker_container_app_migration_\w+ ==> docker_container_app_api_/,
    );
  });
});

describe("startupGraph", () => {
  test("reads explicit and implicit edges, ignoring variables", () => {
    const { nodes, edges } = startupGraph({
      resource: {
        docker_network: { net: { name: "n" } },
        docker_container: {
          a: { name: "${docker_network.net.name}", env: ["X=${var.secret}"] },
          b: { name: "b", depends_on: ["docker_container.a"] },
        },
      },
    });

    expect(nodes.map((n) => n.address)).toEqual([
      "docker_container.a",
      "docker_container.b",
      "docker_network.net",
    ]);
    expect(edges).toEqual([
      {
        from: "docker_network.net",
        to: "docker_container.a",
        kind: "reference",
      },
      {
        from: "docker_container.a",
        to: "docker_container.b",
        kind: "depends_on",
      },
    ]);
  });
});
