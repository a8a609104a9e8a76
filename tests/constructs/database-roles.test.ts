import { Container } from "@cdktf/provider-docker/lib/container";
import { Database } from "@cdktf/provider-postgresql/lib/database";
import { DefaultPrivileges } from "@cdktf/provider-postgresql/lib/default-privileges";
import { PostgresqlProvider } from "@cdktf/provider-postgresql/lib/provider";
import { Role } from "@cdktf/provider-postgresql/lib/role";
import { Schema } from "@cdktf/provider-postgresql/lib/schema";
import { Testing } from "cdktf";
import { DatabaseRoles } from "../../constructs/database-roles";

function synth(withDependency = true) {
  return Testing.synthScope((scope) => {
    const provider = new PostgresqlProvider(scope, "pg", { host: "127.0.0.1" });
    const server = new Container(scope, "server", { name: "pg", image: "x" });
    new DatabaseRoles(scope, "db", {
      provider,
      databaseName: "smart_access",
      ownerRole: "sa_owner",
      ownerPassword: "${var.db_owner_password}",
      runtimeRole: "sa_app",
      runtimePassword: "${var.db_runtime_password}",
      dependsOn: withDependency ? [server] : undefined,
    });
  });
}

function resources(text: string, type: string): any[] {
  return Object.values(JSON.parse(text).resource[type] ?? {});
}

describe("DatabaseRoles", () => {
  test("the owner role logs in and has no power beyond what it owns", () => {
    expect(synth()).toHaveResourceWithProperties(Role, {
      name: "sa_owner",
      login: true,
      password: "${var.db_owner_password}",
      superuser: false,
      create_database: false,
      create_role: false,
    });
  });

  test("the runtime role logs in and cannot create anything", () => {
    expect(synth()).toHaveResourceWithProperties(Role, {
      name: "sa_app",
      login: true,
      password: "${var.db_runtime_password}",
      superuser: false,
      create_database: false,
      create_role: false,
    });
  });

  test("the database and its schema are owned by the owner role", () => {
    const text = synth();

    expect(text).toHaveResourceWithProperties(Database, {
      name: "smart_access",
      owner: expect.stringMatching(
        /^\$\{postgresql_role\.db_owner_[^.]+\.name\}$/,
      ),
    });
    expect(text).toHaveResourceWithProperties(Schema, {
      name: "public",
      drop_cascade: true,
      owner: expect.stringMatching(
        /^\$\{postgresql_role\.db_owner_[^.]+\.name\}$/,
      ),
    });
  });

  test("PUBLIC loses every privilege on the database and the schema, CREATE included", () => {
    const revokes = resources(synth(), "postgresql_grant").filter(
      (g) => g.role === "public",
    );

    expect(revokes.map((g) => [g.object_type, g.privileges])).toEqual([
      ["database", []],
      ["schema", []],
    ]);
  });

  test("the runtime role may connect, use the schema and touch rows, nothing more", () => {
    const grants = resources(synth(), "postgresql_grant")
      .filter((g) => g.role !== "public")
      .map((g) => [g.object_type, g.privileges]);

    expect(grants).toHaveLength(4);
    expect(grants).toEqual(
      expect.arrayContaining([
        ["database", ["CONNECT"]],
        ["schema", ["USAGE"]],
        ["table", ["SELECT", "INSERT", "UPDATE", "DELETE"]],
        ["sequence", ["USAGE", "SELECT"]],
      ]),
    );
  });

  test("tables and sequences the owner creates later are granted to the runtime role", () => {
    const text = synth();
    const owner = expect.stringMatching(/postgresql_role\.db_owner_/);
    const runtime = expect.stringMatching(/postgresql_role\.db_runtime_/);

    expect(text).toHaveResourceWithProperties(DefaultPrivileges, {
      owner,
      role: runtime,
      object_type: "table",
      privileges: ["SELECT", "INSERT", "UPDATE", "DELETE"],
    });
    expect(text).toHaveResourceWithProperties(DefaultPrivileges, {
      owner,
      role: runtime,
      object_type: "sequence",
      privileges: ["USAGE", "SELECT"],
    });
  });

  test("every postgresql_* resource depends on the server", () => {
    const json = JSON.parse(synth());
    const types = Object.keys(json.resource).filter((t) =>
      t.startsWith("postgresql_"),
    );

    expect(types).toHaveLength(5);
    for (const type of types) {
      for (const body of Object.values<any>(json.resource[type])) {
        expect(body.depends_on).toEqual(["docker_container.server"]);
        expect(body.provider).toBe("postgresql");
      }
    }
  });

  test("without a server to wait for, nothing gets a depends_on", () => {
    const json = JSON.parse(synth(false));

    for (const body of Object.values<any>(json.resource.postgresql_role)) {
      expect(body.depends_on).toBeUndefined();
    }
  });

  test("with names that are not PostgreSQL names, one error lists them", () => {
    expect(() =>
      Testing.synthScope((scope) => {
        new DatabaseRoles(scope, "db", {
          provider: new PostgresqlProvider(scope, "pg", {}),
          databaseName: "Smart-Access",
          ownerRole: "owner; DROP",
          ownerPassword: "x",
          runtimeRole: "app",
          runtimePassword: "y",
          connectionLimit: 0,
        });
      }),
    ).toThrowErrorMatchingInlineSnapshot(`
"Invalid Smart Access configuration (database roles): 3 problems.
  - databaseName: got 'Smart-Access'; expected a PostgreSQL name of lower-case letters, digits and _, starting with a letter or _, at most 63 characters
  - ownerRole: got 'owner; DROP'; expected a PostgreSQL name of lower-case letters, digits and _, starting with a letter or _, at most 63 characters
  - connectionLimit: got '0'; expected a whole number of at least 1
Fix these values (see docs/configuration.md) and run synth again."
`);
  });
});
