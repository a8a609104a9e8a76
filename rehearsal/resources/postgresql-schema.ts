/**
 * postgresql_schema (cyrilgdn/postgresql 1.26.0). name and owner are altered
 * in place; a new database replaces it. Destroy drops it, with CASCADE only
 * when drop_cascade is true.
 */
import { Statement, ident } from "../postgres";
import { bool, str } from "../schema";
import { runStatements, storedString } from "./postgresql-common";
import { ResourceHandler } from "./types";

type Attrs = Readonly<Record<string, unknown>>;

export function createSchemaStatements(a: Attrs): Statement[] {
  const name = ident(String(a.name));
  const ifNotExists = (a.if_not_exists ?? true) ? "IF NOT EXISTS " : "";
  const out: Statement[] = [{ text: `CREATE SCHEMA ${ifNotExists}${name}` }];
  if (a.owner)
    out.push({
      text: `ALTER SCHEMA ${name} OWNER TO ${ident(String(a.owner))}`,
    });
  return out;
}

export function dropSchemaStatements(
  name: string,
  cascade: boolean,
): Statement[] {
  return [
    { text: `DROP SCHEMA ${ident(name)} ${cascade ? "CASCADE" : "RESTRICT"}` },
  ];
}

export const postgresqlSchema: ResourceHandler = {
  type: "postgresql_schema",
  schema: {
    name: str,
    database: str,
    owner: str,
    if_not_exists: bool,
    drop_cascade: bool,
  },
  computed: ["id"],
  inPlace: ["name", "owner", "if_not_exists", "drop_cascade"],

  async create(ctx, d) {
    await runStatements(
      ctx,
      d.provider,
      d.attrs.database as string | undefined,
      createSchemaStatements(d.attrs),
    );
    return { id: `${d.attrs.database ?? ""}.${d.attrs.name}` };
  },

  async update(ctx, d, previous) {
    const out: Statement[] = [];
    const before = storedString(previous, "name") ?? String(d.attrs.name);
    if (before !== d.attrs.name) {
      out.push({
        text: `ALTER SCHEMA ${ident(before)} RENAME TO ${ident(String(d.attrs.name))}`,
      });
    }
    if (d.attrs.owner) {
      out.push({
        text: `ALTER SCHEMA ${ident(String(d.attrs.name))} OWNER TO ${ident(String(d.attrs.owner))}`,
      });
    }
    await runStatements(
      ctx,
      d.provider,
      d.attrs.database as string | undefined,
      out,
    );
    return previous.outputs;
  },

  async destroy(ctx, _address, entry) {
    await runStatements(
      ctx,
      entry.provider,
      storedString(entry, "database"),
      dropSchemaStatements(
        String(entry.attributes.name?.value),
        entry.attributes.drop_cascade?.value === true,
      ),
    );
  },
};
