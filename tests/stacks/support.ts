import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Testing } from "cdktf";
import { loadConfigs } from "../../config";
import { LocalStack } from "../../stacks/local";
import { ProductionStack } from "../../stacks/production";

export const REPOSITORY = path.resolve(__dirname, "..", "..");

export type Json = Record<string, any>;

/** A throwaway build context holding the given files. */
export function makeContext(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "smart-access-context-"));
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), content);
  }
  return dir;
}

export const MINIMAL_CONTEXT = {
  Dockerfile: "ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\n",
  ".dockerignore": "*\n!Dockerfile\n!app\n",
  "app/__init__.py": "",
};

export interface SynthOptions {
  /** SMART_ACCESS_* variables to load the configuration with. */
  readonly environ?: Record<string, string>;
  /** Build context. @default a minimal throwaway context */
  readonly contextDir?: string;
}

/** The synthesized JSON of a stack, as a string and parsed. */
export function synthStack(
  stack: "local" | "production",
  options: SynthOptions = {},
): { text: string; json: Json } {
  const configs = loadConfigs({ environ: options.environ ?? {} });
  const contextDir = options.contextDir ?? makeContext(MINIMAL_CONTEXT);
  const app = Testing.app();
  const built =
    stack === "local"
      ? new LocalStack(app, "local", { contextDir, ...configs.local })
      : new ProductionStack(app, "production", {
          contextDir,
          ...configs.production,
        });
  const text = Testing.synth(built);
  return { text, json: JSON.parse(text) };
}

/** The only resource of a type whose name ends with the suffix. */
export function resourceNamed(json: Json, type: string, suffix: string) {
  const matches = Object.entries<Json>(json.resource[type] ?? {}).filter(
    ([, body]) => typeof body.name === "string" && body.name.endsWith(suffix),
  );
  if (matches.length !== 1) {
    throw new Error(
      `expected one ${type} named *${suffix}, got ${matches.length}`,
    );
  }
  const [logicalId, body] = matches[0];
  return { address: `${type}.${logicalId}`, body };
}

/** Every resource address of the given types. */
export function addressesOf(json: Json, ...types: string[]): string[] {
  return types.flatMap((type) =>
    Object.keys(json.resource[type] ?? {}).map((id) => `${type}.${id}`),
  );
}

/** Every string anywhere in a JSON value. */
export function allStrings(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(allStrings);
  if (value && typeof value === "object") {
    return Object.entries(value).flatMap(([k, v]) => [k, ...allStrings(v)]);
  }
  return [];
}
