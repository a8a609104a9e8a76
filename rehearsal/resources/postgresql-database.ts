/**
 * postgresql_database (cyrilgdn/postgresql 1.26.0). name, owner,
 * connection_limit, allow_connections and is_template are altered in place;
 * template, encoding, lc_collate, lc_ctype and tablespace_name replace it.
 */
import { Statement, ident, literal } from "../postgres";
import { bool, num, str } from "../schema";
import { runStatements, storedString } from "./postgresql-common";
import { ResourceHandler } from "./types";

type Attrs = Readonly<Record<string, unknown>>;

export function createDatabaseStatements(a: Attrs): Statement[] {
  const parts = [`CREATE DATABASE ${ident(String(a.name))}`];
  if (a.owner) parts.push(`OWNER ${ident(String(a.owner))}`);
  // The provider's default template is template0, not PostgreSQL's template1.
  const template = String(a.template ?? "template0");
  parts.push(
    template.toUpperCase() === "DEFAULT"
      ? "TEMPLATE DEFAULT"
      : `TEMPLATE ${ident(template)}`,
  );
  parts.push(`ENCODING ${literal(String(a.encoding ?? "UTF8"))}`);
  for (const [key, word] of [
    ["lc_collate", "LC_COLLATE"],
    ["lc_ctype", "LC_CTYPE"],
  ]) {
    const v = a[key];
    if (v !== undefined && v !== "" && String(v).toUpperCase() !== "DEFAULT") {
      parts.push(`${word} ${literal(String(v))}`);
    }
  }
  if (a.tablespace_name)
    parts.push(`TABLESPACE ${ident(String(a.tablespace_name))}`);
  parts.push(`CONNECTION LIMIT ${Number(a.connection_limit ?? -1)}`);
  parts.push(`ALLOW_CONNECTIONS ${a.allow_connections ?? true}`);
  parts.push(`IS_TEMPLATE ${a.is_template ?? false}`);
  return [{ text: parts.join(" ") }];
}

export function alterDatabaseStatements(
  a: Attrs,
  previousName: string,
): Statement[] {
  const out: Statement[] = [];
  const name = ident(String(a.name));
  if (previousName !== a.name) {
    out.push({
      text: `ALTER DATABASE ${ident(previousName)} RENAME TO ${name}`,
    });
  }
  if (a.owner)
    out.push({
      text: `ALTER DATABASE ${name} OWNER TO ${ident(String(a.owner))}`,
    });
  out.push({
    text: `ALTER DATABASE ${name} WITH CONNECTION LIMIT ${Number(a.connection_limit ?? -1)} ALLOW_CONNECTIONS ${a.allow_connections ?? true} IS_TEMPLATE ${a.is_template ?? false}`,
  });
  return out;
}

export function dropDatabaseStatements(name: string): Statement[] {
  return [
    { text: `ALTER DATABASE ${ident(name)} ALLOW_CONNECTIONS false` },
    {
      text: "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
      params: [name],
    },
    { text: `DROP DATABASE ${ident(name)}` },
  ];
}

export const postgresqlDatabase: ResourceHandler = {
  type: "postgresql_database",
  schema: {
    name: str,
    owner: str,
    template: str,
    encoding: str,
    lc_collate: str,
    lc_ctype: str,
    tablespace_name: str,
    connection_limit: num,
    allow_connections: bool,
    is_template: bool,
  },
  computed: ["id"],
  inPlace: [
    "name",
    "owner",
    "connection_limit",
    "allow_connections",
    "is_template",
  ],

  async create(ctx, d) {
    await runStatements(
      ctx,
      d.provider,
      undefined,
      createDatabaseStatements(d.attrs),
    );
    return { id: d.attrs.name };
  },

  async update(ctx, d, previous) {
    const previousName = storedString(previous, "name") ?? String(d.attrs.name);
    await runStatements(
      ctx,
      d.provider,
      undefined,
      alterDatabaseStatements(d.attrs, previousName),
    );
    return { id: d.attrs.name };
  },

  async destroy(ctx, _address, entry) {
    await runStatements(
      ctx,
      entry.provider,
      undefined,
      dropDatabaseStatements(String(entry.outputs.id)),
    );
  },
};
