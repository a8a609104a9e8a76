/**
 * postgresql_default_privileges (cyrilgdn/postgresql 1.26.0): privileges on
 * objects that `owner` creates later, such as the tables migrations create.
 * Every argument forces a new resource; create revokes then grants, destroy
 * revokes.
 */
import { Problem, unsupportedValue } from "../errors";
import { Statement, ident } from "../postgres";
import { bool, set, str } from "../schema";
import { grantee, runStatements, storedValues } from "./postgresql-common";
import { ResourceHandler } from "./types";

type Attrs = Readonly<Record<string, unknown>>;

const PLURAL: Record<string, string> = {
  table: "TABLES",
  sequence: "SEQUENCES",
  function: "FUNCTIONS",
  type: "TYPES",
  schema: "SCHEMAS",
};

function prefix(a: Attrs): string {
  const schema = a.schema ? ` IN SCHEMA ${ident(String(a.schema))}` : "";
  return `ALTER DEFAULT PRIVILEGES FOR ROLE ${ident(String(a.owner))}${schema}`;
}

export function revokeDefaultStatement(a: Attrs): Statement {
  return {
    text: `${prefix(a)} REVOKE ALL ON ${PLURAL[String(a.object_type)]} FROM ${grantee(String(a.role))}`,
  };
}

export function defaultPrivilegesStatements(a: Attrs): Statement[] {
  const privileges = ((a.privileges as string[] | undefined) ?? []).map((p) =>
    p.toUpperCase(),
  );
  const out: Statement[] = [{ text: "BEGIN" }, revokeDefaultStatement(a)];
  if (privileges.length > 0) {
    out.push({
      text: `${prefix(a)} GRANT ${privileges.join(", ")} ON ${PLURAL[String(a.object_type)]} TO ${grantee(String(a.role))}${a.with_grant_option ? " WITH GRANT OPTION" : ""}`,
    });
  }
  out.push({ text: "COMMIT" });
  return out;
}

export const postgresqlDefaultPrivileges: ResourceHandler = {
  type: "postgresql_default_privileges",
  schema: {
    database: str,
    role: str,
    owner: str,
    schema: str,
    object_type: str,
    privileges: set,
    with_grant_option: bool,
  },
  computed: ["id"],

  validate(address, a) {
    const problems: Problem[] = [];
    const type = a.object_type;
    if (typeof type === "string" && !(type in PLURAL)) {
      problems.push(
        unsupportedValue(
          address,
          "object_type",
          type,
          Object.keys(PLURAL).join(", "),
        ),
      );
    }
    if (type === "schema" && a.schema) {
      problems.push(
        unsupportedValue(
          address,
          "schema",
          a.schema,
          "no schema when object_type is schema",
        ),
      );
    }
    return problems;
  },

  async create(ctx, d) {
    await runStatements(
      ctx,
      d.provider,
      String(d.attrs.database),
      defaultPrivilegesStatements(d.attrs),
    );
    const a = d.attrs;
    return {
      id: `${a.role}_${a.database}_${a.schema ?? ""}_${a.owner}_${a.object_type}`,
    };
  },

  async destroy(ctx, _address, entry) {
    const a = storedValues(entry);
    await runStatements(ctx, entry.provider, String(a.database), [
      revokeDefaultStatement(a),
    ]);
  },
};
