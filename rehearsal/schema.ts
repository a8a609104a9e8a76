/**
 * A small schema language for the attributes each resource type honours.
 * Resolved values are checked and converted the way Terraform converts them
 * (`"5"` becomes 5 for a number); any key outside the schema is a problem.
 */
import { Problem, showValue, unsupportedAttribute } from "./errors";
import { isUnknown } from "./expressions";

export type Spec =
  | { kind: "string" }
  | { kind: "number" }
  | { kind: "bool" }
  /** A list of strings; `set` sorts it, as order carries no meaning. */
  | { kind: "list"; set?: boolean }
  | { kind: "map" }
  /** A nested block; `many` for a list/set of blocks, `set` sorts them. */
  | { kind: "block"; attrs: Schema; many?: boolean; set?: boolean };

export type Schema = Readonly<Record<string, Spec>>;

export const str: Spec = { kind: "string" };
export const num: Spec = { kind: "number" };
export const bool: Spec = { kind: "bool" };
export const list: Spec = { kind: "list" };
export const set: Spec = { kind: "list", set: true };
export const map: Spec = { kind: "map" };
export const block = (attrs: Schema): Spec => ({ kind: "block", attrs });
export const blocks = (attrs: Schema, isSet = true): Spec => ({
  kind: "block",
  attrs,
  many: true,
  set: isSet,
});

export interface Checked {
  readonly value: Record<string, unknown>;
  readonly problems: Problem[];
}

/**
 * Checks and converts resolved attributes. `sensitive` names the top-level
 * attributes whose values must not appear in a message.
 */
export function check(
  address: string,
  schema: Schema,
  attrs: Record<string, unknown>,
  sensitive: ReadonlySet<string> = new Set(),
): Checked {
  const problems: Problem[] = [];

  const visit = (
    spec: Spec,
    v: unknown,
    at: string,
    secret: boolean,
  ): unknown => {
    if (v === null || v === undefined || isUnknown(v)) return v;
    const bad = (accepted: string): unknown => {
      problems.push({
        address,
        attribute: at,
        message: `got ${showValue(v, secret)}; expected ${accepted}`,
      });
      return v;
    };
    switch (spec.kind) {
      case "string":
        if (typeof v === "string") return v;
        if (typeof v === "number" || typeof v === "boolean") return String(v);
        return bad("a string");
      case "number": {
        if (typeof v === "number") return v;
        if (typeof v === "string" && v.trim() !== "" && !isNaN(Number(v)))
          return Number(v);
        return bad("a number");
      }
      case "bool":
        if (typeof v === "boolean") return v;
        if (v === "true" || v === "false") return v === "true";
        return bad("a bool");
      case "list": {
        if (!Array.isArray(v)) return bad("a list of strings");
        const items = v.map((i, n) =>
          visit({ kind: "string" }, i, `${at}[${n}]`, secret),
        );
        return spec.set ? sortValues(items) : items;
      }
      case "map": {
        if (typeof v !== "object" || Array.isArray(v)) return bad("a map");
        return Object.fromEntries(
          Object.entries(v as object).map(([k, i]) => [
            k,
            visit({ kind: "string" }, i, `${at}.${k}`, secret),
          ]),
        );
      }
      case "block": {
        const items = Array.isArray(v) ? v : [v];
        if (!spec.many && items.length > 1) return bad("at most one block");
        const out = items.map((item, n) => {
          const where = spec.many ? `${at}[${n}]` : at;
          if (!item || typeof item !== "object" || Array.isArray(item)) {
            problems.push({
              address,
              attribute: where,
              message: `got ${showValue(item, secret)}; expected a block`,
            });
            return item;
          }
          return visitBlock(
            spec.attrs,
            item as Record<string, unknown>,
            where,
            secret,
          );
        });
        if (!spec.many) return out[0];
        return spec.set ? sortValues(out) : out;
      }
    }
  };

  const visitBlock = (
    s: Schema,
    obj: Record<string, unknown>,
    prefix: string,
    secret: boolean,
  ): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(obj)) {
      const where = prefix ? `${prefix}.${key}` : key;
      const isSecret = secret || (!prefix && sensitive.has(key));
      const spec = s[key];
      if (!spec) {
        problems.push(unsupportedAttribute(address, where, v, isSecret));
        continue;
      }
      out[key] = visit(spec, v, where, isSecret);
    }
    return out;
  };

  const value = visitBlock(schema, attrs, "", false);
  return { value, problems };
}

/** Canonical JSON: object keys sorted, so equal values hash equally. */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value && typeof value === "object") {
    const keys = Object.keys(value).sort();
    const obj = value as Record<string, unknown>;
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(obj[k])}`).join(",")}}`;
  }
  return JSON.stringify(value ?? null);
}

function sortValues(items: unknown[]): unknown[] {
  if (items.some(isUnknown)) return items;
  return [...items].sort((a, b) => canonical(a).localeCompare(canonical(b)));
}
