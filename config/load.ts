import * as fs from "fs";
import * as path from "path";
import { ConfigError, problem, unreadableConfigFile } from "./errors";
import {
  DeploymentConfig,
  Environment,
  ENVIRONMENTS,
  SettingSpec,
  SettingValue,
  SETTINGS,
} from "./schema";
import { expectation, parseSetting } from "./validate";

/** The variable naming a JSON file of overrides. */
export const CONFIG_FILE_VARIABLE = "SMART_ACCESS_CONFIG";
const PREFIX = "SMART_ACCESS_";

export interface LoadOptions {
  /** Environment variables to read. @default process.env */
  readonly environ?: Readonly<Record<string, string | undefined>>;
  /** Directory a relative SMART_ACCESS_CONFIG is resolved against. @default process.cwd() */
  readonly cwd?: string;
}

export interface LoadedConfig {
  readonly config: DeploymentConfig;
  /** Things worth a synth warning, such as placeholder defaults in use. */
  readonly warnings: readonly string[];
}

function snake(segment: string): string {
  return segment.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toUpperCase();
}

/**
 * The environment variable of a setting: `api.workersPerCore` is
 * SMART_ACCESS_API__WORKERS_PER_CORE for every stack and
 * SMART_ACCESS_LOCAL__API__WORKERS_PER_CORE for the local stack only.
 */
export function environmentVariableOf(
  settingPath: string,
  environment?: Environment,
): string {
  const segments = settingPath.split(".").map(snake);
  if (environment) segments.unshift(environment.toUpperCase());
  return PREFIX + segments.join("__");
}

type Source = { value: unknown; origin: string; shared: boolean };
type Problem = { text: string; shared: boolean };

function flatten(
  node: unknown,
  prefix: string,
  out: Map<string, unknown>,
): void {
  if (node !== null && typeof node === "object" && !Array.isArray(node)) {
    for (const [key, child] of Object.entries(node)) {
      flatten(child, prefix ? `${prefix}.${key}` : key, out);
    }
    return;
  }
  out.set(prefix, node);
}

function readFile(
  file: string,
  cwd: string,
  problems: string[],
): Partial<Record<Environment, Map<string, unknown>>> {
  const resolved = path.resolve(cwd, file);
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(resolved, "utf8"));
  } catch (err) {
    const reason = err instanceof SyntaxError ? err.message : "cannot read it";
    throw unreadableConfigFile(file, reason);
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw unreadableConfigFile(
      file,
      'its top level must be an object such as {"local": {...}}',
    );
  }

  const known = new Set(SETTINGS.map((s) => s.path));
  const byEnvironment: Partial<Record<Environment, Map<string, unknown>>> = {};
  for (const [key, section] of Object.entries(parsed)) {
    if (key === "$schema") continue;
    if (!(ENVIRONMENTS as readonly string[]).includes(key)) {
      problems.push(
        problem(
          `${key} (in ${file})`,
          section,
          `one of ${ENVIRONMENTS.join(", ")} as a top-level key`,
        ),
      );
      continue;
    }
    const flat = new Map<string, unknown>();
    flatten(section, "", flat);
    for (const settingPath of [...flat.keys()]) {
      if (!known.has(settingPath)) {
        problems.push(
          problem(
            `${key}.${settingPath} (in ${file})`,
            flat.get(settingPath),
            "a setting listed in docs/configuration.md",
          ),
        );
        flat.delete(settingPath);
      }
    }
    byEnvironment[key as Environment] = flat;
  }
  return byEnvironment;
}

function setPath(
  target: Record<string, unknown>,
  dotted: string,
  value: unknown,
) {
  const keys = dotted.split(".");
  let node = target;
  for (const key of keys.slice(0, -1)) {
    node[key] ??= {};
    node = node[key] as Record<string, unknown>;
  }
  node[keys[keys.length - 1]] = value;
}

function knownVariables(): Set<string> {
  const names = new Set<string>([CONFIG_FILE_VARIABLE]);
  for (const spec of SETTINGS) {
    names.add(environmentVariableOf(spec.path));
    for (const env of ENVIRONMENTS) {
      names.add(environmentVariableOf(spec.path, env));
    }
  }
  return names;
}

function resolveSetting(
  spec: SettingSpec,
  environment: Environment,
  file: Map<string, unknown> | undefined,
  fileName: string | undefined,
  environ: Readonly<Record<string, string | undefined>>,
): Source {
  const sharedName = environmentVariableOf(spec.path);
  const ownName = environmentVariableOf(spec.path, environment);
  // Lowest precedence first: default, file, shared variable, own variable.
  const candidates: (Source | undefined)[] = [
    { value: spec.defaults[environment], origin: "", shared: false },
    file?.has(spec.path)
      ? {
          value: file.get(spec.path),
          origin: ` (in ${fileName})`,
          shared: false,
        }
      : undefined,
    environ[sharedName] !== undefined
      ? { value: environ[sharedName], origin: ` (${sharedName})`, shared: true }
      : undefined,
    environ[ownName] !== undefined
      ? { value: environ[ownName], origin: ` (${ownName})`, shared: false }
      : undefined,
  ];
  return candidates.filter((c): c is Source => c !== undefined).pop()!;
}

function loadOne(
  environment: Environment,
  file: Map<string, unknown> | undefined,
  fileName: string | undefined,
  environ: Readonly<Record<string, string | undefined>>,
  problems: Problem[],
): LoadedConfig {
  const config: Record<string, unknown> = { environment };
  const warnings: string[] = [];

  for (const spec of SETTINGS) {
    const { value, origin, shared } = resolveSetting(
      spec,
      environment,
      file,
      fileName,
      environ,
    );
    const unset = value === null || value === "";
    if (unset && spec.optional) {
      setPath(config, spec.path, null);
      continue;
    }
    const parsed = parseSetting(spec.kind, value);
    if (parsed.ok) {
      setPath(config, spec.path, parsed.value as SettingValue);
    } else {
      const label = `${spec.path}${origin}`;
      const text = problem(
        label,
        unset ? undefined : value,
        expectation(spec.kind),
      );
      problems.push({ text, shared });
    }
  }

  const typed = config as unknown as DeploymentConfig;
  if (problems.length === 0) {
    const cross: string[] = [];
    crossCheck(typed, cross, warnings);
    problems.push(...cross.map((text) => ({ text, shared: false })));
  }
  return { config: typed, warnings };
}

function crossCheck(
  config: DeploymentConfig,
  problems: string[],
  warnings: string[],
): void {
  if (
    config.environment === "local" &&
    config.ports.api === config.ports.postgres
  ) {
    problems.push(
      problem(
        "ports.postgres",
        config.ports.postgres,
        "a host port different from ports.api",
      ),
    );
  }
  const roles = new Set([
    config.database.adminUser,
    config.database.ownerRole,
    config.database.runtimeRole,
  ]);
  if (roles.size !== 3) {
    problems.push(
      problem(
        "database.runtimeRole",
        config.database.runtimeRole,
        "three different names for database.adminUser, database.ownerRole and database.runtimeRole",
      ),
    );
  }
  if (config.docker.host.startsWith("tcp://") && !config.docker.certPath) {
    warnings.push(
      `docker.host '${config.docker.host}' is tcp:// without docker.certPath: the Docker API would be reached unencrypted and unauthenticated.`,
    );
  }
  if (config.environment === "production") {
    for (const [setting, value] of [
      ["docker.host", config.docker.host],
      ["database.host", config.database.host],
    ]) {
      if (value.includes(".invalid")) {
        warnings.push(
          `${setting} is the placeholder '${value}': set it in the production section of the ${CONFIG_FILE_VARIABLE} file before deploying.`,
        );
      }
    }
  }
}

/**
 * Builds the typed configuration of every stack from the defaults in
 * code, the SMART_ACCESS_CONFIG file and SMART_ACCESS_* variables. All
 * problems of all stacks are gathered and thrown as one ConfigError.
 */
export function loadConfigs(
  options: LoadOptions = {},
): Record<Environment, LoadedConfig> {
  const environ = options.environ ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const problems: string[] = [];

  const fileName = environ[CONFIG_FILE_VARIABLE] || undefined;
  const files = fileName ? readFile(fileName, cwd, problems) : {};

  const known = knownVariables();
  for (const name of Object.keys(environ)) {
    if (name.startsWith(PREFIX) && name.includes("__") && !known.has(name)) {
      problems.push(
        problem(
          name,
          environ[name],
          "a variable named in docs/configuration.md",
        ),
      );
    }
  }

  const result = {} as Record<Environment, LoadedConfig>;
  for (const environment of ENVIRONMENTS) {
    const own: Problem[] = [];
    result[environment] = loadOne(
      environment,
      files[environment],
      fileName,
      environ,
      own,
    );
    for (const { text, shared } of own) {
      // A shared variable's problem is the same in every stack: say it once.
      const line = shared ? text : `[${environment}] ${text}`;
      if (!problems.includes(line)) problems.push(line);
    }
  }

  if (problems.length > 0) throw new ConfigError(problems, "synth");
  return result;
}

/** The typed configuration of one stack; see loadConfigs. */
export function loadConfig(
  environment: Environment,
  options: LoadOptions = {},
): LoadedConfig {
  return loadConfigs(options)[environment];
}
