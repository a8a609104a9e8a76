/**
 * Opens PostgreSQL sessions the way the postgresql provider's block says:
 * host, port, username, password, sslmode, database. Like the provider, it
 * connects once, with no retry: the graph must order it after the server is
 * healthy.
 */
import { Client, ClientConfig } from "pg";
import { Problem, RehearsalError, showValue } from "./errors";

/** One SQL statement; `shown` is the text safe to log (no secrets). */
export interface Statement {
  readonly text: string;
  readonly params?: readonly unknown[];
  readonly shown?: string;
}

export interface SqlSession {
  run(statements: readonly Statement[]): Promise<void>;
  query<T = Record<string, unknown>>(
    text: string,
    params?: unknown[],
  ): Promise<T[]>;
  close(): Promise<void>;
}

export interface PostgresProvider {
  readonly host: string;
  readonly port: number;
  readonly username: string;
  readonly password?: string;
  readonly sslmode: string;
  readonly database: string;
  readonly connectTimeout: number;
}

const PROVIDER_KEYS = new Set([
  "host",
  "port",
  "username",
  "password",
  "sslmode",
  "database",
  "superuser",
  "connect_timeout",
  "scheme",
  "expected_version",
]);
const SSLMODES = ["disable", "require", "verify-ca", "verify-full"];

/** Validates a resolved provider block and applies the provider's defaults. */
export function postgresProvider(
  key: string,
  config: Record<string, unknown>,
): { provider?: PostgresProvider; problems: Problem[] } {
  const problems: Problem[] = [];
  const address = `provider.${key}`;
  for (const [k, v] of Object.entries(config)) {
    if (!PROVIDER_KEYS.has(k)) {
      problems.push({
        address,
        attribute: k,
        message: `provider setting is not supported by the rehearsal (got ${showValue(v, k === "password")})`,
      });
    }
  }
  // The provider's default sslmode is "require"; keep it so a stack that
  // forgets to choose fails here the way it would against a plain server.
  const sslmode = String(config.sslmode ?? "require");
  if (!SSLMODES.includes(sslmode)) {
    problems.push({
      address,
      attribute: "sslmode",
      message: `got ${showValue(sslmode)}; expected one of ${SSLMODES.join(", ")}`,
    });
  }
  if (config.scheme !== undefined && config.scheme !== "postgres") {
    problems.push({
      address,
      attribute: "scheme",
      message: `got ${showValue(config.scheme)}; the rehearsal accepts "postgres"`,
    });
  }
  const port = Number(config.port ?? 5432);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    problems.push({
      address,
      attribute: "port",
      message: `got ${showValue(config.port)}; expected a port 1-65535`,
    });
  }
  if (problems.length > 0) return { problems };
  return {
    problems,
    provider: {
      host: String(config.host ?? "localhost"),
      port,
      username: String(config.username ?? "postgres"),
      password:
        config.password === undefined ? undefined : String(config.password),
      sslmode,
      database: String(config.database ?? "postgres"),
      connectTimeout: Number(config.connect_timeout ?? 180),
    },
  };
}

export async function openSession(
  provider: PostgresProvider,
  database = provider.database,
): Promise<SqlSession> {
  const config: ClientConfig = {
    host: provider.host,
    port: provider.port,
    user: provider.username,
    password: provider.password,
    database,
    connectionTimeoutMillis: provider.connectTimeout * 1000,
    // Known limit: verify-ca/verify-full use Node's CA store, not libpq's files.
    ssl:
      provider.sslmode === "disable"
        ? false
        : { rejectUnauthorized: provider.sslmode !== "require" },
  };
  const client = new Client(config);
  // A server that goes away between statements must not crash the process;
  // the next query reports the failure instead.
  client.on("error", () => undefined);
  try {
    await client.connect();
  } catch (err) {
    throw new RehearsalError(
      `cannot connect to PostgreSQL at ${provider.host}:${provider.port} (database ${database}, user ${provider.username}, sslmode ${provider.sslmode}): ${(err as Error).message}`,
    );
  }
  return {
    async run(statements) {
      for (const s of statements) {
        try {
          await client.query(s.text, s.params ? [...s.params] : undefined);
        } catch (err) {
          throw new RehearsalError(
            `SQL failed: ${s.shown ?? s.text}: ${(err as Error).message}`,
          );
        }
      }
    },
    async query<T>(text: string, params?: unknown[]) {
      const res = await client.query(text, params);
      return res.rows as T[];
    },
    close: () => client.end().catch(() => undefined),
  };
}

/** Quotes an identifier the way PostgreSQL's quote_ident does. */
export function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Quotes a string literal; used only where SQL takes no parameters (DDL). */
export function literal(value: string): string {
  const escaped = value.replace(/'/g, "''");
  return value.includes("\\")
    ? ` E'${escaped.replace(/\\/g, "\\\\")}'`.trim()
    : `'${escaped}'`;
}
