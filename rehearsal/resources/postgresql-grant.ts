/**
 * postgresql_grant (cyrilgdn/postgresql 1.26.0). Every argument forces a new
 * grant. Like the provider, creating one first revokes everything the role
 * holds on those objects and then grants exactly `privileges`, in one
 * transaction; destroying it revokes. Table/sequence grants without
 * `objects` cover only the objects that exist at apply time.
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
};
const SINGULAR: Record<string, string> = {
  table: "TABLE",
  sequence: "SEQUENCE",
};
const OBJECT_TYPES = ["database", "schema", "table", "sequence", "function"];

function target(a: Attrs): string {
  const type = String(a.object_type);
  if (type === "database") return `DATABASE ${ident(String(a.database))}`;
  if (type === "schema") return `SCHEMA ${ident(String(a.schema))}`;
  const schema = ident(String(a.schema ?? "public"));
  const objects = (a.objects as string[] | undefined) ?? [];
  if (objects.length === 0) return `ALL ${PLURAL[type]} IN SCHEMA ${schema}`;
  return `${SINGULAR[type]} ${objects.map((o) => `${schema}.${ident(o)}`).join(", ")}`;
}

export function revokeStatement(a: Attrs): Statement {
  return {
    text: `REVOKE ALL PRIVILEGES ON ${target(a)} FROM ${grantee(String(a.role))}`,
  };
}

export function grantStatements(a: Attrs): Statement[] {
  const privileges = ((a.privileges as string[] | undefined) ?? []).map((p) =>
    p.toUpperCase(),
  );
  const out: Statement[] = [{ text: "BEGIN" }, revokeStatement(a)];
  if (privileges.length > 0) {
    out.push({
      text: `GRANT ${privileges.join(", ")} ON ${target(a)} TO ${grantee(String(a.role))}${a.with_grant_option ? " WITH GRANT OPTION" : ""}`,
    });
  }
  out.push({ text: "COMMIT" });
  return out;
}

export const postgresqlGrant: ResourceHandler = {
  type: "postgresql_grant",
  schema: {
    database: str,
    role: str,
    schema: str,
    object_type: str,
    objects: set,
    privileges: set,
    with_grant_option: bool,
  },
  computed: ["id"],

  validate(address, a) {
    const problems: Problem[] = [];
    const type = a.object_type;
    if (typeof type === "string" && !OBJECT_TYPES.includes(type)) {
      problems.push(
        unsupportedValue(address, "object_type", type, OBJECT_TYPES.join(", ")),
      );
    }
    if (
      type === "function" &&
      ((a.objects as string[] | undefined) ?? []).length > 0
    ) {
      problems.push(
        unsupportedValue(
          address,
          "objects",
          a.objects,
          "no objects for functions (all functions in the schema)",
        ),
      );
    }
    if (type !== "database" && a.schema === undefined) {
      problems.push(
        unsupportedValue(
          address,
          "schema",
          undefined,
          `a schema for object_type ${String(type)}`,
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
      grantStatements(d.attrs),
    );
    const a = d.attrs;
    return { id: `${a.role}_${a.database}_${a.schema ?? ""}_${a.object_type}` };
  },

  async destroy(ctx, _address, entry) {
    const a = storedValues(entry);
    await runStatements(ctx, entry.provider, String(a.database), [
      revokeStatement(a),
    ]);
  },
};
