import { Statement, ident } from "../postgres";
import { ResourceState } from "../state";
import { ApplyContext } from "./types";

export async function runStatements(
  ctx: ApplyContext,
  provider: string,
  database: string | undefined,
  statements: readonly Statement[],
): Promise<void> {
  // One session per resource, as each provider call is its own: a session
  // left open would hold the database a later destroy has to drop.
  const session = await ctx.postgres(provider, database);
  try {
    await session.run(statements);
  } finally {
    await session.close();
  }
}

/** `public` is the PUBLIC pseudo-role; every other role is an identifier. */
export function grantee(role: string): string {
  return role.toLowerCase() === "public" ? "PUBLIC" : ident(role);
}

export function stored(entry: ResourceState, key: string): unknown {
  return entry.attributes[key]?.value;
}

export function storedString(
  entry: ResourceState,
  key: string,
): string | undefined {
  const v = stored(entry, key);
  return v === undefined || v === null ? undefined : String(v);
}

/** The stored arguments of a resource with no sensitive input, by name. */
export function storedValues(entry: ResourceState): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(entry.attributes).map(([k, v]) => [k, v.value]),
  );
}
