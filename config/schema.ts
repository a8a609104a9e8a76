/**
 * The typed deployment configuration: its shape, and one table that gives
 * every setting its kind, its default per environment and its meaning.
 * Loading, validation, environment-variable names and the documentation
 * table in docs/configuration.md are all derived from SETTINGS.
 */

/** The deployment environments; one stack each. */
export const ENVIRONMENTS = ["local", "production"] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

export const LOG_LEVELS = [
  "debug",
  "info",
  "warning",
  "error",
  "critical",
] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const SSL_MODES = [
  "disable",
  "allow",
  "prefer",
  "require",
  "verify-ca",
  "verify-full",
] as const;
export type SslMode = (typeof SSL_MODES)[number];

/** The sslmodes the postgresql provider's driver (lib/pq) understands. */
export const PROVIDER_SSL_MODES = [
  "disable",
  "require",
  "verify-ca",
  "verify-full",
] as const;
export type ProviderSslMode = (typeof PROVIDER_SSL_MODES)[number];

/** CPU and memory limits of one container, in Docker's notation. */
export interface ResourceLimits {
  /** Number of CPUs, a decimal such as "1" or "0.5". */
  readonly cpus: string;
  /** Memory limit such as "512m" or "1g" (b, k, m, g; binary multiples). */
  readonly memory: string;
}

/** The Docker engine the stack deploys to. */
export interface DockerSettings {
  /** unix://, tcp:// or ssh:// address, as DOCKER_HOST takes. */
  readonly host: string;
  /** Directory with ca.pem, cert.pem and key.pem for tcp:// with TLS. */
  readonly certPath: string | null;
}

/** Host ports, published on `publishAddress` only. */
export interface PortSettings {
  readonly api: number;
  readonly postgres: number;
  readonly publishAddress: string;
}

export interface ImageSettings {
  /** PostgreSQL image of the local stack's database container. */
  readonly postgres: string;
  /** Base image of the API image, passed as the BASE_IMAGE build arg. */
  readonly apiBase: string;
  /** Tag of the API image built from this repository. */
  readonly apiTag: string;
}

export interface LimitSettings {
  readonly api: ResourceLimits;
  readonly migration: ResourceLimits;
  readonly postgres: ResourceLimits;
}

/** Seconds kreuzwerker's `wait` polls for healthy before failing. */
export interface WaitTimeoutSettings {
  readonly postgres: number;
  readonly api: number;
}

export interface StopSettings {
  /** Seconds PostgreSQL gets to finish a fast shutdown before SIGKILL. */
  readonly postgresGraceSeconds: number;
  /** Seconds added to GRACEFUL_TIMEOUT for the API's stop grace. */
  readonly apiGraceMarginSeconds: number;
}

export interface LogSettings {
  /** json-file max-size per log file, such as "10m". */
  readonly maxSize: string;
  /** Number of rotated log files kept. */
  readonly maxFiles: number;
}

export interface DatabaseSettings {
  /** PostgreSQL server host: unused by `local`, which runs its own. */
  readonly host: string;
  /** PostgreSQL server port as the API reaches it. */
  readonly port: number;
  /** Local: the container's superuser, which the postgresql provider uses. */
  readonly adminUser: string;
  /** Whether adminUser is a superuser (false on managed services). */
  readonly adminIsSuperuser: boolean;
  /** sslmode of the postgresql provider's connection. */
  readonly sslmode: ProviderSslMode;
  readonly name: string;
  readonly ownerRole: string;
  readonly runtimeRole: string;
  /** Most concurrent connections each role may hold. */
  readonly connectionLimit: number;
}

/** The API's environment; each maps onto a contract variable. */
export interface ApiSettings {
  readonly appEnv: Environment;
  readonly host: string;
  readonly port: number;
  readonly bind: string | null;
  readonly webConcurrency: number | null;
  readonly workersPerCore: number;
  readonly maxWorkers: number | null;
  readonly threads: number;
  readonly timeout: number;
  readonly gracefulTimeout: number;
  readonly keepAlive: number;
  readonly logLevel: LogLevel;
  readonly dbSslmode: SslMode;
  readonly maxRequestBytes: number;
  /** URL the api_url output reports. */
  readonly publicUrl: string | null;
}

/** Everything one stack needs; built by loadConfig. */
export interface DeploymentConfig {
  readonly environment: Environment;
  /** Prefix of every Docker resource name. */
  readonly name: string;
  readonly docker: DockerSettings;
  readonly ports: PortSettings;
  readonly images: ImageSettings;
  readonly limits: LimitSettings;
  readonly waitTimeouts: WaitTimeoutSettings;
  readonly stop: StopSettings;
  readonly logs: LogSettings;
  readonly database: DatabaseSettings;
  readonly api: ApiSettings;
}

/** What a setting accepts; each kind has one parser and one wording. */
export type SettingKind =
  | { readonly type: "name" }
  | { readonly type: "string" }
  | { readonly type: "sqlName" }
  | { readonly type: "tag" }
  | { readonly type: "integer"; readonly min: number; readonly max?: number }
  | { readonly type: "positiveNumber" }
  | { readonly type: "port" }
  | { readonly type: "boolean" }
  | { readonly type: "enum"; readonly values: readonly string[] }
  | { readonly type: "cpus" }
  | { readonly type: "memory" }
  | { readonly type: "size" }
  | { readonly type: "dockerHost" }
  | { readonly type: "bind" }
  | { readonly type: "url" }
  | { readonly type: "path" };

export type SettingValue = string | number | boolean | null;

export interface SettingSpec {
  /** Dotted path into DeploymentConfig, such as "api.workersPerCore". */
  readonly path: string;
  readonly kind: SettingKind;
  /** Whether null ("unset") is accepted. */
  readonly optional?: boolean;
  readonly defaults: Readonly<Record<Environment, SettingValue>>;
  readonly description: string;
}

function both(value: SettingValue): Record<Environment, SettingValue> {
  return { local: value, production: value };
}

const INTEGER_SECONDS = { type: "integer", min: 1, max: 86400 } as const;

export const SETTINGS: readonly SettingSpec[] = [
  {
    path: "name",
    kind: { type: "name" },
    defaults: { local: "smart-access", production: "smart-access-prod" },
    description:
      "Deployment name: prefix of every Docker resource (network, volume, image, containers). Lower-case letters, digits and dashes.",
  },
  {
    path: "docker.host",
    kind: { type: "dockerHost" },
    defaults: {
      local: "unix:///var/run/docker.sock",
      production: "ssh://deploy@docker-host.invalid",
    },
    description:
      "Docker engine to deploy to, as DOCKER_HOST takes it: unix://, tcp:// or ssh://. The production default is a placeholder and gives a synth warning.",
  },
  {
    path: "docker.certPath",
    kind: { type: "path" },
    optional: true,
    defaults: both(null),
    description:
      "Directory holding ca.pem, cert.pem and key.pem for a tcp:// host with TLS, as DOCKER_CERT_PATH. Unset: no client certificate.",
  },
  {
    path: "ports.api",
    kind: { type: "port" },
    defaults: both(8080),
    description: "Host port the API is published on.",
  },
  {
    path: "ports.postgres",
    kind: { type: "port" },
    defaults: both(55432),
    description:
      "Host port PostgreSQL is published on (local only); the postgresql provider connects through it.",
  },
  {
    path: "ports.publishAddress",
    kind: { type: "enum", values: ["127.0.0.1"] },
    defaults: both("127.0.0.1"),
    description:
      "Host address ports are published on. Only loopback is accepted: put a reverse proxy in front for remote clients.",
  },
  {
    path: "images.postgres",
    kind: { type: "string" },
    defaults: both("postgres:15-bookworm"),
    description:
      "PostgreSQL image of the local database container. It must honour POSTGRES_USER, POSTGRES_PASSWORD, POSTGRES_DB and PGDATA, and ship pg_isready.",
  },
  {
    path: "images.apiBase",
    kind: { type: "string" },
    defaults: both("python:3.12-slim-bookworm"),
    description:
      "Base image of the API image, passed to the Dockerfile as the build arg BASE_IMAGE.",
  },
  {
    path: "images.apiTag",
    kind: { type: "tag" },
    defaults: both("latest"),
    description:
      "Tag of the API image; the image is named `<name>-api:<apiTag>`.",
  },
  {
    path: "limits.api.cpus",
    kind: { type: "cpus" },
    defaults: both("1"),
    description:
      "CPUs the API container may use; Gunicorn's worker count follows it.",
  },
  {
    path: "limits.api.memory",
    kind: { type: "memory" },
    defaults: both("512m"),
    description: "Memory limit of the API container.",
  },
  {
    path: "limits.migration.cpus",
    kind: { type: "cpus" },
    defaults: both("1"),
    description: "CPUs the migration job may use.",
  },
  {
    path: "limits.migration.memory",
    kind: { type: "memory" },
    defaults: both("256m"),
    description: "Memory limit of the migration job.",
  },
  {
    path: "limits.postgres.cpus",
    kind: { type: "cpus" },
    defaults: both("1"),
    description: "CPUs the PostgreSQL container may use (local only).",
  },
  {
    path: "limits.postgres.memory",
    kind: { type: "memory" },
    defaults: both("512m"),
    description: "Memory limit of the PostgreSQL container (local only).",
  },
  {
    path: "waitTimeouts.postgres",
    kind: { type: "integer", min: 1, max: 3600 },
    defaults: both(60),
    description:
      "Seconds the deploy waits for PostgreSQL to be healthy. kreuzwerker's wait polls until this timeout even after the container exited, so keep it tight.",
  },
  {
    path: "waitTimeouts.api",
    kind: { type: "integer", min: 1, max: 3600 },
    defaults: both(90),
    description:
      "Seconds the deploy waits for the API to be healthy; the same caveat applies.",
  },
  {
    path: "stop.postgresGraceSeconds",
    kind: INTEGER_SECONDS,
    defaults: both(60),
    description:
      "Seconds PostgreSQL gets to finish a fast shutdown (SIGINT) before it is killed, when replaced or destroyed.",
  },
  {
    path: "stop.apiGraceMarginSeconds",
    kind: INTEGER_SECONDS,
    defaults: both(10),
    description:
      "Seconds added to api.gracefulTimeout to give the API's stop grace: in-flight requests finish before the container is killed.",
  },
  {
    path: "logs.maxSize",
    kind: { type: "size" },
    defaults: both("10m"),
    description: "Size at which a container's json-file log is rotated.",
  },
  {
    path: "logs.maxFiles",
    kind: { type: "integer", min: 1, max: 100 },
    defaults: both(3),
    description: "Number of rotated log files kept per container.",
  },
  {
    path: "database.host",
    kind: { type: "string" },
    defaults: { local: "postgres", production: "postgres.invalid" },
    description:
      "Host of the existing PostgreSQL server (production). The local stack ignores it and uses its own container. The production default is a placeholder and gives a synth warning.",
  },
  {
    path: "database.port",
    kind: { type: "port" },
    defaults: both(5432),
    description:
      "Port of the existing PostgreSQL server (production). The local stack's container always listens on 5432 inside the network.",
  },
  {
    path: "database.adminUser",
    kind: { type: "sqlName" },
    defaults: both("postgres"),
    description:
      "Local: the PostgreSQL container's superuser, which the postgresql provider connects as to create the roles and database (its password is the variable postgres_superuser_password). Production takes the administrator's name from the sensitive variable postgres_admin_username instead, and uses this setting only to keep the role names distinct.",
  },
  {
    path: "database.adminIsSuperuser",
    kind: { type: "boolean" },
    defaults: { local: true, production: false },
    description:
      "Whether database.adminUser is a superuser. Managed services (RDS, Cloud SQL) give a non-superuser admin.",
  },
  {
    path: "database.sslmode",
    kind: { type: "enum", values: PROVIDER_SSL_MODES },
    defaults: { local: "disable", production: "require" },
    description:
      "sslmode of the postgresql provider's connection. Local connects over loopback to its own container, which has no certificate.",
  },
  {
    path: "database.name",
    kind: { type: "sqlName" },
    defaults: both("smart_access"),
    description: "Database the API uses.",
  },
  {
    path: "database.ownerRole",
    kind: { type: "sqlName" },
    defaults: both("smart_access_owner"),
    description:
      "Role that owns the database and schema; migrations run as it.",
  },
  {
    path: "database.runtimeRole",
    kind: { type: "sqlName" },
    defaults: both("smart_access_app"),
    description:
      "Role the API connects as: reads and writes rows, cannot create, alter or drop anything.",
  },
  {
    path: "database.connectionLimit",
    kind: { type: "integer", min: 1, max: 10000 },
    defaults: both(50),
    description: "Most concurrent connections each of the two roles may hold.",
  },
  {
    path: "api.appEnv",
    kind: { type: "enum", values: ENVIRONMENTS },
    defaults: { local: "local", production: "production" },
    description:
      "APP_ENV: `local` loads demo data at migrate time and accepts the bootstrap admin token.",
  },
  {
    path: "api.host",
    kind: { type: "string" },
    defaults: both("0.0.0.0"),
    description: "API_HOST: address Gunicorn listens on inside the container.",
  },
  {
    path: "api.port",
    kind: { type: "port" },
    defaults: both(5000),
    description: "API_PORT: port Gunicorn listens on inside the container.",
  },
  {
    path: "api.bind",
    kind: { type: "bind" },
    optional: true,
    defaults: both(null),
    description:
      "BIND: HOST:PORT for Gunicorn, overriding api.host and api.port. Unset: not passed.",
  },
  {
    path: "api.webConcurrency",
    kind: { type: "integer", min: 1, max: 1024 },
    optional: true,
    defaults: both(null),
    description:
      "WEB_CONCURRENCY: exact worker count, overriding workersPerCore and maxWorkers. Unset: computed from the CPU limit.",
  },
  {
    path: "api.workersPerCore",
    kind: { type: "positiveNumber" },
    defaults: both(1),
    description:
      "WORKERS_PER_CORE: workers per usable CPU; workers = max(floor(WORKERS_PER_CORE x cores) + 1, 2).",
  },
  {
    path: "api.maxWorkers",
    kind: { type: "integer", min: 1, max: 1024 },
    optional: true,
    defaults: both(null),
    description: "MAX_WORKERS: upper bound on the computed worker count.",
  },
  {
    path: "api.threads",
    kind: { type: "integer", min: 1, max: 256 },
    defaults: both(4),
    description:
      "THREADS: threads per worker, and each worker's pool size; 1 selects the sync worker the original deployment ran.",
  },
  {
    path: "api.timeout",
    kind: INTEGER_SECONDS,
    defaults: both(120),
    description:
      "TIMEOUT: seconds a silent worker lives before it is replaced.",
  },
  {
    path: "api.gracefulTimeout",
    kind: INTEGER_SECONDS,
    defaults: both(30),
    description:
      "GRACEFUL_TIMEOUT: seconds workers get to finish in-flight requests after SIGTERM.",
  },
  {
    path: "api.keepAlive",
    kind: { type: "integer", min: 1, max: 3600 },
    defaults: both(5),
    description: "KEEP_ALIVE: seconds an idle keep-alive connection is held.",
  },
  {
    path: "api.logLevel",
    kind: { type: "enum", values: LOG_LEVELS },
    defaults: both("info"),
    description: "LOG_LEVEL of the API and Gunicorn.",
  },
  {
    path: "api.dbSslmode",
    kind: { type: "enum", values: SSL_MODES },
    defaults: { local: "disable", production: "require" },
    description:
      "DB_SSLMODE: libpq sslmode of the API's and the migration's connections.",
  },
  {
    path: "api.maxRequestBytes",
    kind: { type: "integer", min: 1024, max: 104857600 },
    defaults: both(65536),
    description: "MAX_REQUEST_BYTES: largest request body accepted.",
  },
  {
    path: "api.publicUrl",
    kind: { type: "url" },
    optional: true,
    defaults: both(null),
    description:
      "URL the api_url output reports. Unset: http://<publishAddress>:<ports.api>.",
  },
];
