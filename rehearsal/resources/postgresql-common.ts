import { Statement, ident } from "../postgres";
import { ResourceState } from "../state";
import { ApplyContext } from "./types";

export async function runStatements(
  ctx: ApplyContext,
  provider: string,
  database: string | undefined,
  statements: readonly Statement[],
): Promise<void> {
  const session = await ctx.postgres(provider, database);
  await session.run(statements);
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
