/**
 * postgresql_role (cyrilgdn/postgresql 1.26.0). The provider alters a role
 * in place for every argument (including its name), so the rehearsal does.
 * On destroy it reassigns and drops what the role owns, then drops it.
 */
import { Statement, ident, literal } from "../postgres";
import { bool, num, set, str } from "../schema";
import { runStatements, storedString } from "./postgresql-common";
import { ResourceHandler } from "./types";

type Attrs = Readonly<Record<string, unknown>>;

const FLAGS: [string, string, boolean][] = [
  ["superuser", "SUPERUSER", false],
  ["create_database", "CREATEDB", false],
  ["create_role", "CREATEROLE", false],
  ["inherit", "INHERIT", true],
  ["login", "LOGIN", false],
  ["replication", "REPLICATION", false],
  ["bypass_row_level_security", "BYPASSRLS", false],
];

function options(
  a: Attrs,
  withPassword: boolean,
): { text: string; shown: string } {
  const parts = FLAGS.map(([key, word, dflt]) =>
    (a[key] ?? dflt) ? word : `NO${word}`,
  );
  parts.push(`CONNECTION LIMIT ${Number(a.connection_limit ?? -1)}`);
  if (a.valid_until !== undefined)
    parts.push(`VALID UNTIL ${literal(String(a.valid_until))}`);
  const base = parts.join(" ");
  if (!withPassword) return { text: base, shown: base };
  if (a.password === undefined || a.password === null || a.password === "") {
    return { text: `${base} PASSWORD NULL`, shown: `${base} PASSWORD NULL` };
  }
  // CREATE/ALTER ROLE take no bind parameters, so the password is a quoted
  // literal here, as in the provider; `shown` is what may be logged.
  return {
    text: `${base} PASSWORD ${literal(String(a.password))}`,
    shown: `${base} PASSWORD '********'`,
  };
}

export function createRoleStatements(a: Attrs): Statement[] {
  const name = ident(String(a.name));
  const o = options(a, true);
  const out: Statement[] = [
    {
      text: `CREATE ROLE ${name} WITH ${o.text}`,
      shown: `CREATE ROLE ${name} WITH ${o.shown}`,
    },
  ];
  for (const r of (a.roles as string[] | undefined) ?? []) {
    out.push({ text: `GRANT ${ident(r)} TO ${name}` });
  }
  return out;
}

export function alterRoleStatements(
  a: Attrs,
  previousName: string,
  previousRoles: readonly string[],
  changed: readonly string[],
): Statement[] {
  const out: Statement[] = [];
  const name = ident(String(a.name));
  if (previousName !== a.name) {
    out.push({ text: `ALTER ROLE ${ident(previousName)} RENAME TO ${name}` });
  }
  const o = options(a, changed.includes("password"));
  out.push({
    text: `ALTER ROLE ${name} WITH ${o.text}`,
    shown: `ALTER ROLE ${name} WITH ${o.shown}`,
  });
  if (changed.includes("roles")) {
    for (const r of previousRoles)
      out.push({ text: `REVOKE ${ident(r)} FROM ${name}` });
    for (const r of (a.roles as string[] | undefined) ?? []) {
      out.push({ text: `GRANT ${ident(r)} TO ${name}` });
    }
  }
  return out;
}

export function dropRoleStatements(
  name: string,
  skipReassignOwned: boolean,
  skipDropRole: boolean,
): Statement[] {
  if (skipDropRole) return [];
  const role = ident(name);
  const out: Statement[] = [];
  if (!skipReassignOwned) {
    out.push({ text: `REASSIGN OWNED BY ${role} TO CURRENT_USER` });
    out.push({ text: `DROP OWNED BY ${role}` });
  }
  out.push({ text: `DROP ROLE ${role}` });
  return out;
}

export const postgresqlRole: ResourceHandler = {
  type: "postgresql_role",
  schema: {
    name: str,
    login: bool,
    password: str,
    encrypted_password: bool,
    superuser: bool,
    create_database: bool,
    create_role: bool,
    inherit: bool,
    replication: bool,
    bypass_row_level_security: bool,
    connection_limit: num,
    valid_until: str,
    roles: set,
    skip_drop_role: bool,
    skip_reassign_owned: bool,
  },
  computed: ["id"],
  sensitive: ["password"],
  inPlace: [
    "name",
    "login",
    "password",
    "encrypted_password",
    "superuser",
    "create_database",
    "create_role",
    "inherit",
    "replication",
    "bypass_row_level_security",
    "connection_limit",
    "valid_until",
    "roles",
    "skip_drop_role",
    "skip_reassign_owned",
  ],

  async create(ctx, d) {
    await runStatements(
      ctx,
      d.provider,
      undefined,
      createRoleStatements(d.attrs),
    );
    return { id: d.attrs.name };
  },

  async update(ctx, d, previous, changed) {
    const previousName = storedString(previous, "name") ?? String(d.attrs.name);
    const previousRoles =
      (previous.attributes.roles?.value as string[] | undefined) ?? [];
    await runStatements(
      ctx,
      d.provider,
      undefined,
      alterRoleStatements(d.attrs, previousName, previousRoles, changed),
    );
    return { id: d.attrs.name };
  },

  async destroy(ctx, _address, entry) {
    await runStatements(
      ctx,
      entry.provider,
      undefined,
      dropRoleStatements(
        String(entry.outputs.id),
        entry.attributes.skip_reassign_owned?.value === true,
        entry.attributes.skip_drop_role?.value === true,
      ),
    );
  },
};
