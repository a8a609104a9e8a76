import * as contract from "../../contract/api-environment.json";
import { Token, TerraformVariable, Testing } from "cdktf";
import { ConfigError } from "../../config";
import {
  ApiEnvironmentProps,
  CONTRACT_VARIABLES,
  CONTRACT_VARIABLE_NAMES,
  renderApiEnvironment,
  variablesOf,
} from "../../constructs/api-environment";
import { synthStack, resourceNamed } from "../stacks/support";

const REQUIRED: ApiEnvironmentProps = {
  appEnv: "local",
  dbHost: "db",
  dbName: "smart_access",
  dbUser: "app",
  dbPassword: "${var.db_runtime_password}",
  pinHashKey: "${var.pin_hash_key}",
};

describe("the environment contract", () => {
  test("every prop sets a variable the API reads, and every variable it reads has a prop", () => {
    const set = Object.values(CONTRACT_VARIABLES).sort();

    expect(set).toEqual([...CONTRACT_VARIABLE_NAMES].sort());
    expect(new Set(set).size).toBe(set.length);
  });

  test.each(["local", "production"] as const)(
    "the %s stack's containers set only contract variables",
    (stack) => {
      const { json } = synthStack(stack);

      for (const suffix of ["-api", "-migrate"]) {
        const { body } = resourceNamed(json, "docker_container", suffix);
        for (const variable of variablesOf(body.env)) {
          expect(CONTRACT_VARIABLE_NAMES).toContain(variable);
        }
      }
    },
  );

  test("every required contract variable is set for the API and the migration", () => {
    const { json } = synthStack("local");
    const required = Object.entries(
      contract.variables as Record<string, { required?: boolean }>,
    )
      .filter(([, spec]) => spec.required)
      .map(([name]) => name);

    for (const suffix of ["-api", "-migrate"]) {
      const { body } = resourceNamed(json, "docker_container", suffix);
      expect(variablesOf(body.env)).toEqual(expect.arrayContaining(required));
    }
  });
});

describe("renderApiEnvironment", () => {
  test("fills in the documented defaults and leaves unset options out", () => {
    const env = renderApiEnvironment(REQUIRED);

    expect(env).toContain("WORKERS_PER_CORE=1");
    expect(env).toContain("GRACEFUL_TIMEOUT=30");
    expect(env).toContain("LOG_LEVEL=info");
    expect(variablesOf(env)).not.toContain("BIND");
    expect(variablesOf(env)).not.toContain("WEB_CONCURRENCY");
    expect(variablesOf(env)).not.toContain("BOOTSTRAP_ADMIN_TOKEN");
  });

  test("maps each typed prop onto its variable", () => {
    const env = renderApiEnvironment({
      ...REQUIRED,
      bind: "0.0.0.0:8000",
      webConcurrency: 3,
      maxWorkers: 6,
      workersPerCore: 0.5,
      timeout: 60,
      keepAlive: 2,
      logLevel: "debug",
    });

    expect(env).toEqual(
      expect.arrayContaining([
        "BIND=0.0.0.0:8000",
        "WEB_CONCURRENCY=3",
        "MAX_WORKERS=6",
        "WORKERS_PER_CORE=0.5",
        "TIMEOUT=60",
        "KEEP_ALIVE=2",
        "LOG_LEVEL=debug",
      ]),
    );
  });

  test("with bad props, one error lists each variable, value and what is accepted", () => {
    let error: unknown;
    try {
      renderApiEnvironment({
        ...REQUIRED,
        workersPerCore: Number("x"),
        threads: 0,
        maxWorkers: -1,
        logLevel: "verbose",
        apiPort: 0,
        bind: "nowhere",
      });
    } catch (err) {
      error = err;
    }

    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatchInlineSnapshot(`
"Invalid Smart Access configuration (API environment): 6 problems.
  - API_PORT: got '0'; expected a whole number from 1 to 65535
  - BIND: got 'nowhere'; expected HOST:PORT with a port from 1 to 65535
  - WORKERS_PER_CORE: got 'NaN'; expected a number greater than 0, such as 1 or 0.5
  - MAX_WORKERS: got '-1'; expected a whole number of at least 1
  - THREADS: got '0'; expected a whole number of at least 1
  - LOG_LEVEL: got 'verbose'; expected one of debug, info, warning, error, critical
Fix these values (see docs/configuration.md) and run synth again."
`);
  });

  test("unresolved tokens are left alone", () => {
    Testing.synthScope((scope) => {
      const threads = new TerraformVariable(scope, "threads", {
        type: "number",
      });
      const level = new TerraformVariable(scope, "level", { type: "string" });

      const env = renderApiEnvironment({
        ...REQUIRED,
        threads: threads.numberValue,
        logLevel: level.stringValue,
      });

      expect(env.some((entry) => Token.isUnresolved(entry))).toBe(true);
    });
  });
});
