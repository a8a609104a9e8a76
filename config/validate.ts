import { Token } from "cdktf";
import { problem } from "./errors";
import { SettingKind, SettingValue } from "./schema";

/** Outcome of reading one raw value as a setting of some kind. */
export type Parsed =
  | { readonly ok: true; readonly value: SettingValue }
  | { readonly ok: false };

const NAME = /^[a-z][a-z0-9-]{0,39}$/;
const SQL_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DECIMAL = /^\s*(\d+(\.\d+)?|\.\d+)\s*$/;
const SIZE = /^\s*(\d+(\.\d+)?)\s*([bkmg])?\s*$/i;
const DOCKER_HOST = /^(unix:\/\/\/.+|tcp:\/\/[^/\s]+|ssh:\/\/[^/\s]+)$/;
const BIND = /^([^\s:]+|\[[0-9a-fA-F:]+\]):(\d+)$/;
const URL_PATTERN = /^https?:\/\/[^\s/]+(\/\S*)?$/;

/** Smallest memory limit Docker accepts, in MB. */
const MIN_MEMORY_MB = 6;

/** The one wording of what each kind accepts. */
export function expectation(kind: SettingKind): string {
  switch (kind.type) {
    case "name":
      return "lower-case letters, digits and dashes, starting with a letter, at most 40 characters";
    case "string":
      return "a non-empty string";
    case "sqlName":
      return "a PostgreSQL name of lower-case letters, digits and _, starting with a letter or _, at most 63 characters";
    case "tag":
      return "an image tag of letters, digits, _ . and -, at most 128 characters";
    case "integer":
      return kind.max === undefined
        ? `a whole number of at least ${kind.min}`
        : `a whole number from ${kind.min} to ${kind.max}`;
    case "positiveNumber":
      return "a number greater than 0, such as 1 or 0.5";
    case "port":
      return "a whole number from 1 to 65535";
    case "boolean":
      return "true or false";
    case "enum":
      return `one of ${kind.values.join(", ")}`;
    case "cpus":
      return "a number of CPUs greater than 0, such as '1' or '0.5'";
    case "memory":
      return `a memory size such as '512m' or '1g' (units b, k, m, g), at least ${MIN_MEMORY_MB}m`;
    case "size":
      return "a size such as '10m' (units k, m, g)";
    case "dockerHost":
      return "a Docker host address starting with unix:///, tcp:// or ssh://";
    case "bind":
      return "HOST:PORT with a port from 1 to 65535";
    case "url":
      return "an http:// or https:// URL";
    case "path":
      return "a non-empty path";
  }
}

function asNumber(raw: unknown): number | undefined {
  if (typeof raw === "number") return Number.isFinite(raw) ? raw : undefined;
  if (typeof raw === "string" && DECIMAL.test(raw)) return Number(raw);
  if (typeof raw === "string" && /^\s*-\d+(\.\d+)?\s*$/.test(raw)) {
    return Number(raw);
  }
  return undefined;
}

/** Memory in Docker's notation to whole MB, or undefined if unreadable. */
export function memoryToMegabytes(raw: string): number | undefined {
  const match = SIZE.exec(raw);
  if (!match) return undefined;
  const amount = Number(match[1]);
  const unit = (match[3] ?? "b").toLowerCase();
  const bytesPerUnit: Record<string, number> = {
    b: 1,
    k: 1024,
    m: 1024 ** 2,
    g: 1024 ** 3,
  };
  return Math.floor((amount * bytesPerUnit[unit]) / 1024 ** 2);
}

/**
 * Reads a raw value (from JSON, an environment variable or a prop) as a
 * setting of the given kind. Strings are accepted for numbers and
 * booleans, since environment variables carry nothing else.
 */
export function parseSetting(kind: SettingKind, raw: unknown): Parsed {
  const fail = { ok: false } as const;
  const text = typeof raw === "string" ? raw.trim() : undefined;

  switch (kind.type) {
    case "name":
    case "sqlName":
    case "tag": {
      const pattern =
        kind.type === "name" ? NAME : kind.type === "tag" ? TAG : SQL_NAME;
      return text !== undefined && pattern.test(text)
        ? { ok: true, value: text }
        : fail;
    }
    case "string":
    case "path":
      return text ? { ok: true, value: text } : fail;
    case "integer":
    case "port": {
      const n = asNumber(raw);
      const min = kind.type === "port" ? 1 : kind.min;
      const max = kind.type === "port" ? 65535 : kind.max;
      if (n === undefined || !Number.isInteger(n) || n < min) return fail;
      if (max !== undefined && n > max) return fail;
      return { ok: true, value: n };
    }
    case "positiveNumber": {
      const n = asNumber(raw);
      return n !== undefined && n > 0 ? { ok: true, value: n } : fail;
    }
    case "boolean":
      if (typeof raw === "boolean") return { ok: true, value: raw };
      if (text === "true" || text === "false") {
        return { ok: true, value: text === "true" };
      }
      return fail;
    case "enum":
      return text !== undefined && kind.values.includes(text)
        ? { ok: true, value: text }
        : fail;
    case "cpus": {
      const n = asNumber(raw);
      return n !== undefined && n > 0 ? { ok: true, value: String(n) } : fail;
    }
    case "memory": {
      const mb =
        typeof raw === "number" ? Math.floor(raw / 1024 ** 2) : undefined;
      const parsed = text !== undefined ? memoryToMegabytes(text) : mb;
      return parsed !== undefined && parsed >= MIN_MEMORY_MB
        ? { ok: true, value: text ?? String(raw) }
        : fail;
    }
    case "size": {
      const match = text !== undefined ? SIZE.exec(text) : null;
      return match && Number(match[1]) > 0
        ? { ok: true, value: text!.toLowerCase() }
        : fail;
    }
    case "dockerHost":
      return text !== undefined && DOCKER_HOST.test(text)
        ? { ok: true, value: text }
        : fail;
    case "bind": {
      const match = text !== undefined ? BIND.exec(text) : null;
      const port = match ? Number(match[2]) : 0;
      return match && port >= 1 && port <= 65535
        ? { ok: true, value: text! }
        : fail;
    }
    case "url":
      return text !== undefined && URL_PATTERN.test(text)
        ? { ok: true, value: text.replace(/\/$/, "") }
        : fail;
  }
}

/**
 * Checks a construct prop against a kind and records a problem if it is
 * invalid. Unresolved tokens are deploy-time values and are left alone.
 */
export function checkProp(
  problems: string[],
  setting: string,
  kind: SettingKind,
  value: unknown,
): void {
  if (value === undefined || value === null) return;
  if (Token.isUnresolved(value)) return;
  if (!parseSetting(kind, value).ok) {
    problems.push(problem(setting, value, expectation(kind)));
  }
}
