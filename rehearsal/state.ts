/**
 * The rehearsal's state: one JSON file per deployment and stack. Per resource
 * it keeps the resolved inputs (a hash per attribute, and the value itself
 * only when nothing sensitive went into it) and the computed outputs.
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { RehearsalError } from "./errors";
import { canonical } from "./schema";

export interface StoredAttribute {
  /** scrypt of address, attribute and canonical value: compared, never shown. */
  readonly hash: string;
  /** Present only for attributes with no sensitive input. */
  readonly value?: unknown;
  readonly sensitive?: true;
}

export interface ResourceState {
  readonly type: string;
  readonly provider: string;
  /** Dependencies at apply time, to destroy in the right order later. */
  readonly dependencies: readonly string[];
  readonly attributes: Readonly<Record<string, StoredAttribute>>;
  /** Computed attributes (ids, exit codes, …) as the engine reported them. */
  readonly outputs: Readonly<Record<string, unknown>>;
  /** Created, but its create step failed: the next deploy replaces it. */
  readonly tainted?: boolean;
}

export interface StateFile {
  readonly version: 1;
  readonly resources: Record<string, ResourceState>;
  readonly outputs: Record<string, { value?: unknown; sensitive: boolean }>;
}

export function emptyState(): StateFile {
  return { version: 1, resources: {}, outputs: {} };
}

export function readState(file: string): StateFile {
  if (!fs.existsSync(file)) return emptyState();
  try {
    const parsed = JSON.parse(fs.readFileSync(file, "utf8")) as StateFile;
    if (parsed.version !== 1) throw new Error(`version ${parsed.version}`);
    return parsed;
  } catch (err) {
    throw new RehearsalError(
      `state file ${file} cannot be read (${String(err)}); move it aside to start over, after removing what it describes`,
    );
  }
}

/** Written atomically, so an interrupted deploy never leaves half a file. */
export function writeState(file: string, state: StateFile): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  fs.renameSync(tmp, file);
}

// The salt ties a hash to its attribute; scrypt makes guessing a weak secret
// from the state file expensive.
export function attributeHash(
  address: string,
  attribute: string,
  value: unknown,
): string {
  const salt = `${address}\u0000${attribute}`;
  return crypto
    .scryptSync(canonical(value), salt, 32, { N: 1024 })
    .toString("base64url");
}

export function storeAttributes(
  address: string,
  values: Record<string, unknown>,
  sensitive: ReadonlySet<string>,
): Record<string, StoredAttribute> {
  const out: Record<string, StoredAttribute> = {};
  for (const [key, value] of Object.entries(values)) {
    if (value === undefined) continue;
    const hash = attributeHash(address, key, value);
    out[key] = sensitive.has(key) ? { hash, sensitive: true } : { hash, value };
  }
  return out;
}

/** The last-applied value of an attribute, when it was stored in clear. */
export function storedValue(entry: ResourceState, attribute: string): unknown {
  return entry.attributes[attribute]?.value;
}
