import * as contract from "../contract/api-environment.json";
import { ConfigError } from "../config/errors";
import { LOG_LEVELS, SSL_MODES, SettingKind } from "../config/schema";
import { checkProp } from "../config/validate";

/**
 * The API's environment as typed props. Each field maps onto exactly one
 * variable of contract/api-environment.json (see CONTRACT_VARIABLES).
 * Secrets are expected as tokens of sensitive variables.
 */
export interface ApiEnvironmentProps {
  /** APP_ENV: which init tasks `migrate` runs. */
  readonly appEnv: "local" | "production";
  /** API_HOST: listen address inside the container. @default "0.0.0.0" */
  readonly apiHost?: string;
  /** API_PORT: listen port inside the container. @default 5000 */
  readonly apiPort?: number;
  /** BIND: HOST:PORT overriding apiHost and apiPort. @default - not set */
  readonly bind?: string;
  /** WEB_CONCURRENCY: exact worker count. @default - computed by the API */
  readonly webConcurrency?: number;
  /** WORKERS_PER_CORE: workers per usable CPU. @default 1 */
  readonly workersPerCore?: number;
  /** MAX_WORKERS: bound on the computed worker count. @default - unbounded */
  readonly maxWorkers?: number;
  /** THREADS: threads per worker. @default 4 */
  readonly threads?: number;
  /** TIMEOUT: seconds before a silent worker is replaced. @default 120 */
  readonly timeout?: number;
  /** GRACEFUL_TIMEOUT: seconds to finish requests after SIGTERM. @default 30 */
  readonly gracefulTimeout?: number;
  /** KEEP_ALIVE: seconds an idle connection is held. @default 5 */
  readonly keepAlive?: number;
  /** LOG_LEVEL. @default "info" */
  readonly logLevel?: string;
  /** DB_HOST: PostgreSQL host as seen from the container. */
  readonly dbHost: string;
  /** DB_PORT. @default 5432 */
  readonly dbPort?: number;
  /** DB_NAME. */
  readonly dbName: string;
  /** DB_USER: the owner role for `migrate`, the runtime role for `serve`. */
  readonly dbUser: string;
  /** DB_PASSWORD: a token of a sensitive variable. */
  readonly dbPassword: string;
  /** DB_SSLMODE. @default "prefer" */
  readonly dbSslmode?: string;
  /** PIN_HASH_KEY: a token of a sensitive variable. */
  readonly pinHashKey: string;
  /** BOOTSTRAP_ADMIN_TOKEN: only honoured when appEnv is local. @default - not set */
  readonly bootstrapAdminToken?: string;
  /** MAX_REQUEST_BYTES. @default 65536 */
  readonly maxRequestBytes?: number;
}

/** Which contract variable each prop sets; the one place they meet. */
export const CONTRACT_VARIABLES: Readonly<
  Record<keyof ApiEnvironmentProps, string>
> = {
  appEnv: "APP_ENV",
  apiHost: "API_HOST",
  apiPort: "API_PORT",
  bind: "BIND",
  webConcurrency: "WEB_CONCURRENCY",
  workersPerCore: "WORKERS_PER_CORE",
  maxWorkers: "MAX_WORKERS",
  threads: "THREADS",
  timeout: "TIMEOUT",
  gracefulTimeout: "GRACEFUL_TIMEOUT",
  keepAlive: "KEEP_ALIVE",
  logLevel: "LOG_LEVEL",
  dbHost: "DB_HOST",
  dbPort: "DB_PORT",
  dbName: "DB_NAME",
  dbUser: "DB_USER",
  dbPassword: "DB_PASSWORD",
  dbSslmode: "DB_SSLMODE",
  pinHashKey: "PIN_HASH_KEY",
  bootstrapAdminToken: "BOOTSTRAP_ADMIN_TOKEN",
  maxRequestBytes: "MAX_REQUEST_BYTES",
};

/** The variable names the API reads, straight from the contract file. */
export const CONTRACT_VARIABLE_NAMES: readonly string[] = Object.keys(
  contract.variables,
);

const DEFAULTS: Partial<ApiEnvironmentProps> = {
  apiHost: "0.0.0.0",
  apiPort: 5000,
  workersPerCore: 1,
  threads: 4,
  timeout: 120,
  gracefulTimeout: 30,
  keepAlive: 5,
  logLevel: "info",
  dbPort: 5432,
  dbSslmode: "prefer",
  maxRequestBytes: 65536,
};

const KINDS: Partial<Record<keyof ApiEnvironmentProps, SettingKind>> = {
  appEnv: { type: "enum", values: ["local", "production"] },
  apiHost: { type: "string" },
  apiPort: { type: "port" },
  bind: { type: "bind" },
  webConcurrency: { type: "integer", min: 1 },
  workersPerCore: { type: "positiveNumber" },
  maxWorkers: { type: "integer", min: 1 },
  threads: { type: "integer", min: 1 },
  timeout: { type: "integer", min: 1 },
  gracefulTimeout: { type: "integer", min: 1 },
  keepAlive: { type: "integer", min: 1 },
  logLevel: { type: "enum", values: LOG_LEVELS },
  dbHost: { type: "string" },
  dbPort: { type: "port" },
  dbName: { type: "string" },
  dbUser: { type: "string" },
  dbSslmode: { type: "enum", values: SSL_MODES },
  maxRequestBytes: { type: "integer", min: 1024 },
};

/** Props with the documented defaults filled in. */
export function withDefaults(props: ApiEnvironmentProps): ApiEnvironmentProps {
  const merged: Record<string, unknown> = { ...DEFAULTS };
  for (const [key, value] of Object.entries(props)) {
    if (value !== undefined) merged[key] = value;
  }
  return merged as unknown as ApiEnvironmentProps;
}

/**
 * The container's `env` list for these props, validated first: every
 * problem is gathered and thrown as one ConfigError.
 */
export function renderApiEnvironment(props: ApiEnvironmentProps): string[] {
  const full = withDefaults(props);
  const problems: string[] = [];
  for (const [key, kind] of Object.entries(KINDS)) {
    const prop = key as keyof ApiEnvironmentProps;
    checkProp(problems, CONTRACT_VARIABLES[prop], kind, full[prop]);
  }
  if (problems.length > 0) throw new ConfigError(problems, "API environment");

  return (Object.keys(CONTRACT_VARIABLES) as (keyof ApiEnvironmentProps)[])
    .filter((key) => full[key] !== undefined && full[key] !== null)
    .map((key) => `${CONTRACT_VARIABLES[key]}=${full[key]}`);
}

/** Contract variables a value is set for, from a rendered env list. */
export function variablesOf(env: readonly string[]): string[] {
  return env.map((entry) => entry.slice(0, entry.indexOf("=")));
}
