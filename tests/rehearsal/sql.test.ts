import {
  createDatabaseStatements,
  dropDatabaseStatements,
} from "../../rehearsal/resources/postgresql-database";
import {
  defaultPrivilegesStatements,
  revokeDefaultStatement,
} from "../../rehearsal/resources/postgresql-default-privileges";
import {
  grantStatements,
  revokeStatement,
} from "../../rehearsal/resources/postgresql-grant";
import {
  alterRoleStatements,
  createRoleStatements,
  dropRoleStatements,
} from "../../rehearsal/resources/postgresql-role";
import {
  createSchemaStatements,
  dropSchemaStatements,
} from "../../rehearsal/resources/postgresql-schema";
import { Statement } from "../../rehearsal/postgres";

const texts = (s: Statement[]) => s.map((x) => x.text);

describe("postgresql_role SQL", () => {
  const role = {
    name: "app",
    login: true,
    password: "pa'ss",
    connection_limit: 50,
    inherit: false,
  };

  test("create quotes the name and the password, and logs no password", () => {
    const [create] = createRoleStatements(role);
    expect(create.text).toBe(
      `CREATE ROLE "app" WITH NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT LOGIN NOREPLICATION NOBYPASSRLS CONNECTION LIMIT 50 PASSWORD 'pa''ss'`,
    );
    expect(create.shown).not.toContain("pa'ss");
    expect(create.shown).toContain("PASSWORD '********'");
  });

  test("member roles are granted after create", () => {
    expect(
      texts(createRoleStatements({ ...role, roles: ["readers"] }))[1],
    ).toBe('GRANT "readers" TO "app"');
  });

  test("a password change is an ALTER ROLE; other changes leave the password alone", () => {
    expect(
      alterRoleStatements(role, "app", [], ["password"])[0].text,
    ).toContain("PASSWORD 'pa''ss'");
    expect(
      alterRoleStatements(role, "app", [], ["connection_limit"])[0].text,
    ).not.toContain("PASSWORD");
    expect(
      alterRoleStatements({ ...role, name: "new" }, "old", [], ["name"])[0]
        .text,
    ).toBe('ALTER ROLE "old" RENAME TO "new"');
  });

  test("destroy reassigns and drops what the role owns, then drops it", () => {
    expect(texts(dropRoleStatements('we"ird', false, false))).toEqual([
      'REASSIGN OWNED BY "we""ird" TO CURRENT_USER',
      'DROP OWNED BY "we""ird"',
      'DROP ROLE "we""ird"',
    ]);
    expect(dropRoleStatements("app", false, true)).toEqual([]);
  });
});

describe("postgresql_database SQL", () => {
  test("create uses the provider's defaults: template0, UTF8", () => {
    expect(
      texts(
        createDatabaseStatements({
          name: "db",
          owner: "own",
          lc_collate: "C",
          lc_ctype: "C",
        }),
      ),
    ).toEqual([
      `CREATE DATABASE "db" OWNER "own" TEMPLATE "template0" ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C' CONNECTION LIMIT -1 ALLOW_CONNECTIONS true IS_TEMPLATE false`,
    ]);
  });

  test("destroy closes connections with a parameter, then drops", () => {
    const s = dropDatabaseStatements("db");
    expect(s[1].params).toEqual(["db"]);
    expect(s[2].text).toBe('DROP DATABASE "db"');
  });
});

describe("postgresql_grant SQL", () => {
  test.each([
    [
      {
        database: "db",
        role: "app",
        object_type: "database",
        privileges: ["CONNECT"],
      },
      'REVOKE ALL PRIVILEGES ON DATABASE "db" FROM "app"',
      'GRANT CONNECT ON DATABASE "db" TO "app"',
    ],
    [
      {
        database: "db",
        role: "app",
        schema: "public",
        object_type: "schema",
        privileges: ["USAGE"],
      },
      'REVOKE ALL PRIVILEGES ON SCHEMA "public" FROM "app"',
      'GRANT USAGE ON SCHEMA "public" TO "app"',
    ],
    [
      {
        database: "db",
        role: "app",
        schema: "public",
        object_type: "table",
        privileges: ["SELECT", "INSERT"],
      },
      'REVOKE ALL PRIVILEGES ON ALL TABLES IN SCHEMA "public" FROM "app"',
      'GRANT SELECT, INSERT ON ALL TABLES IN SCHEMA "public" TO "app"',
    ],
    [
      {
        database: "db",
        role: "app",
        schema: "s",
        object_type: "sequence",
        objects: ["a"],
        privileges: ["usage"],
      },
      'REVOKE ALL PRIVILEGES ON SEQUENCE "s"."a" FROM "app"',
      'GRANT USAGE ON SEQUENCE "s"."a" TO "app"',
    ],
  ])(
    "%o revokes everything, then grants the set, in one transaction",
    (attrs, revoke, grant) => {
      expect(texts(grantStatements(attrs))).toEqual([
        "BEGIN",
        revoke,
        grant,
        "COMMIT",
      ]);
      expect(revokeStatement(attrs).text).toBe(revoke);
    },
  );

  test("empty privileges for public only revoke", () => {
    expect(
      texts(
        grantStatements({
          database: "db",
          role: "public",
          object_type: "database",
          privileges: [],
        }),
      ),
    ).toEqual([
      "BEGIN",
      'REVOKE ALL PRIVILEGES ON DATABASE "db" FROM PUBLIC',
      "COMMIT",
    ]);
  });
});

describe("postgresql_default_privileges SQL", () => {
  test("grants on objects the owner creates later in the schema", () => {
    const attrs = {
      database: "db",
      role: "app",
      owner: "own",
      schema: "public",
      object_type: "table",
      privileges: ["SELECT"],
    };
    expect(texts(defaultPrivilegesStatements(attrs))).toEqual([
      "BEGIN",
      'ALTER DEFAULT PRIVILEGES FOR ROLE "own" IN SCHEMA "public" REVOKE ALL ON TABLES FROM "app"',
      'ALTER DEFAULT PRIVILEGES FOR ROLE "own" IN SCHEMA "public" GRANT SELECT ON TABLES TO "app"',
      "COMMIT",
    ]);
    expect(
      revokeDefaultStatement({ ...attrs, object_type: "sequence" }).text,
    ).toBe(
      'ALTER DEFAULT PRIVILEGES FOR ROLE "own" IN SCHEMA "public" REVOKE ALL ON SEQUENCES FROM "app"',
    );
  });
});

describe("postgresql_schema SQL", () => {
  test("create, then hand it to its owner; drop restricts unless drop_cascade", () => {
    expect(
      texts(createSchemaStatements({ name: "public", owner: "own" })),
    ).toEqual([
      'CREATE SCHEMA IF NOT EXISTS "public"',
      'ALTER SCHEMA "public" OWNER TO "own"',
    ]);
    expect(texts(dropSchemaStatements("public", false))).toEqual([
      'DROP SCHEMA "public" RESTRICT',
    ]);
    expect(texts(dropSchemaStatements("public", true))).toEqual([
      'DROP SCHEMA "public" CASCADE',
    ]);
  });
});
