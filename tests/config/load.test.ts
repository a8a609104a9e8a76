import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
  CONFIGURATION_DOC,
  embeddedTable,
  SCHEMA_FILE,
} from "../../scripts/config-schema";
import {
  configJsonSchema,
  ConfigError,
  environmentVariableOf,
  loadConfig,
  loadConfigs,
  memoryToMegabytes,
  renderSettingsTable,
  SETTINGS,
} from "../../config";

function writeConfig(content: unknown): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "smart-access-config-"));
  const file = path.join(dir, "config.json");
  fs.writeFileSync(
    file,
    typeof content === "string" ? content : JSON.stringify(content),
  );
  return file;
}

function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error("expected a ConfigError");
}

describe("loadConfigs", () => {
  test("with nothing set, every stack gets the defaults in code", () => {
    const { local, production } = loadConfigs({ environ: {} });

    expect(local.config.name).toBe("smart-access");
    expect(local.config.images.postgres).toBe("postgres:15-bookworm");
    expect(local.config.images.apiBase).toBe("python:3.12-slim-bookworm");
    expect(local.config.database.sslmode).toBe("disable");
    expect(local.config.api.webConcurrency).toBeNull();
    expect(local.warnings).toEqual([]);
    expect(production.config.database.sslmode).toBe("require");
    expect(production.config.api.appEnv).toBe("production");
  });

  test("the production placeholders synthesize, with a warning each", () => {
    const { production } = loadConfigs({ environ: {} });

    expect(production.warnings).toHaveLength(2);
    expect(production.warnings[0]).toContain("docker.host");
    expect(production.warnings[1]).toContain("database.host");
  });

  test("a tcp:// Docker host without certificates gives a warning", () => {
    const { local } = loadConfigs({
      environ: { SMART_ACCESS_LOCAL__DOCKER__HOST: "tcp://127.0.0.1:2375" },
    });

    expect(local.warnings).toEqual([
      expect.stringContaining("unencrypted and unauthenticated"),
    ]);
  });

  test("a config file overrides the defaults of the stack it names", () => {
    const file = writeConfig({
      local: { name: "sa-test", ports: { api: 18080 }, api: { threads: 8 } },
    });

    const { local, production } = loadConfigs({
      environ: { SMART_ACCESS_CONFIG: file },
    });

    expect(local.config.name).toBe("sa-test");
    expect(local.config.ports.api).toBe(18080);
    expect(local.config.api.threads).toBe(8);
    expect(production.config.name).toBe("smart-access-prod");
  });

  test("a relative config file is resolved against cwd", () => {
    const file = writeConfig({ local: { name: "relative" } });

    const { config } = loadConfig("local", {
      environ: { SMART_ACCESS_CONFIG: path.basename(file) },
      cwd: path.dirname(file),
    });

    expect(config.name).toBe("relative");
  });

  test("a shared variable beats the file, a per-stack variable beats both", () => {
    const file = writeConfig({ local: { api: { workersPerCore: 3 } } });

    const { local, production } = loadConfigs({
      environ: {
        SMART_ACCESS_CONFIG: file,
        SMART_ACCESS_API__WORKERS_PER_CORE: "0.5",
        SMART_ACCESS_PRODUCTION__API__WORKERS_PER_CORE: "2",
      },
    });

    expect(local.config.api.workersPerCore).toBe(0.5);
    expect(production.config.api.workersPerCore).toBe(2);
  });

  test("an empty variable unsets an optional setting", () => {
    const file = writeConfig({ local: { api: { maxWorkers: 4 } } });

    const { config } = loadConfig("local", {
      environ: { SMART_ACCESS_CONFIG: file, SMART_ACCESS_API__MAX_WORKERS: "" },
    });

    expect(config.api.maxWorkers).toBeNull();
  });

  test("variables are parsed to the setting's type", () => {
    const { config } = loadConfig("local", {
      environ: {
        SMART_ACCESS_PORTS__POSTGRES: "15432",
        SMART_ACCESS_DATABASE__ADMIN_IS_SUPERUSER: "false",
        SMART_ACCESS_LIMITS__API__CPUS: "0.5",
        SMART_ACCESS_API__BIND: "0.0.0.0:8000",
      },
    });

    expect(config.ports.postgres).toBe(15432);
    expect(config.database.adminIsSuperuser).toBe(false);
    expect(config.limits.api.cpus).toBe("0.5");
    expect(config.api.bind).toBe("0.0.0.0:8000");
  });

  test("with bad values, synth fails once, naming each setting, value and what is accepted", () => {
    const error = errorOf(() =>
      loadConfigs({
        environ: {
          SMART_ACCESS_API__WORKERS_PER_CORE: "abc",
          SMART_ACCESS_LOCAL__API__THREADS: "0",
          SMART_ACCESS_LOCAL__API__MAX_WORKERS: "-2",
          SMART_ACCESS_API__LOG_LEVEL: "loud",
          SMART_ACCESS_PORTS__API: "70000",
          SMART_ACCESS_LIMITS__API__CPUS: "two",
          SMART_ACCESS_LIMITS__API__MEMORY: "lots",
        },
      }),
    );

    expect(error.problems).toHaveLength(7);
    expect(error.message).toMatchInlineSnapshot(`
"Invalid Smart Access configuration (synth): 7 problems.
  - ports.api (SMART_ACCESS_PORTS__API): got '70000'; expected a whole number from 1 to 65535
  - limits.api.cpus (SMART_ACCESS_LIMITS__API__CPUS): got 'two'; expected a number of CPUs greater than 0, such as '1' or '0.5'
  - limits.api.memory (SMART_ACCESS_LIMITS__API__MEMORY): got 'lots'; expected a memory size such as '512m' or '1g' (units b, k, m, g), at least 6m
  - api.workersPerCore (SMART_ACCESS_API__WORKERS_PER_CORE): got 'abc'; expected a number greater than 0, such as 1 or 0.5
  - [local] api.maxWorkers (SMART_ACCESS_LOCAL__API__MAX_WORKERS): got '-2'; expected a whole number from 1 to 1024
  - [local] api.threads (SMART_ACCESS_LOCAL__API__THREADS): got '0'; expected a whole number from 1 to 256
  - api.logLevel (SMART_ACCESS_API__LOG_LEVEL): got 'loud'; expected one of debug, info, warning, error, critical
Fix these values (see docs/configuration.md) and run synth again."
`);
  });

  test("with bad values in the file, each problem names the file", () => {
    const file = writeConfig({
      local: { api: { timeout: "soon" }, ports: { postgres: 0 } },
      production: { limits: { api: { memory: "1 tonne" } } },
    });

    const error = errorOf(() =>
      loadConfigs({ environ: { SMART_ACCESS_CONFIG: file } }),
    );

    expect(error.message.replaceAll(file, "config.json"))
      .toMatchInlineSnapshot(`
"Invalid Smart Access configuration (synth): 3 problems.
  - [local] ports.postgres (in config.json): got '0'; expected a whole number from 1 to 65535
  - [local] api.timeout (in config.json): got 'soon'; expected a whole number from 1 to 86400
  - [production] limits.api.memory (in config.json): got '1 tonne'; expected a memory size such as '512m' or '1g' (units b, k, m, g), at least 6m
Fix these values (see docs/configuration.md) and run synth again."
`);
  });

  test("unknown keys in the file and unknown SMART_ACCESS_*__* variables are errors", () => {
    const file = writeConfig({
      local: { api: { worker: 2 } },
      staging: {},
    });

    const error = errorOf(() =>
      loadConfigs({
        environ: {
          SMART_ACCESS_CONFIG: file,
          SMART_ACCESS_API__WORKER_PER_CORE: "2",
        },
      }),
    );

    expect(error.message.replaceAll(file, "config.json"))
      .toMatchInlineSnapshot(`
"Invalid Smart Access configuration (synth): 3 problems.
  - local.api.worker (in config.json): got '2'; expected a setting listed in docs/configuration.md
  - staging (in config.json): got '{}'; expected one of local, production as a top-level key
  - SMART_ACCESS_API__WORKER_PER_CORE: got '2'; expected a variable named in docs/configuration.md
Fix these values (see docs/configuration.md) and run synth again."
`);
  });

  test("a file that is not JSON fails naming the file and the reason", () => {
    const file = writeConfig("{ not json");

    const error = errorOf(() =>
      loadConfigs({ environ: { SMART_ACCESS_CONFIG: file } }),
    );

    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toContain(`SMART_ACCESS_CONFIG: got '${file}'`);
    expect(error.problems[0]).toContain("expected a readable JSON file");
  });

  test("a missing file fails naming it", () => {
    const error = errorOf(() =>
      loadConfigs({ environ: { SMART_ACCESS_CONFIG: "/nonexistent/c.json" } }),
    );

    expect(error.problems[0]).toMatchInlineSnapshot(
      `"SMART_ACCESS_CONFIG: got '/nonexistent/c.json'; expected a readable JSON file (cannot read it)"`,
    );
  });

  test.each(["allow", "prefer"])(
    "database.sslmode %s, which the provider's driver lacks, is refused",
    (mode) => {
      const error = errorOf(() =>
        loadConfigs({ environ: { SMART_ACCESS_DATABASE__SSLMODE: mode } }),
      );

      expect(error.problems).toEqual([
        `database.sslmode (SMART_ACCESS_DATABASE__SSLMODE): got '${mode}'; expected one of disable, require, verify-ca, verify-full`,
      ]);
    },
  );

  test("the local stack's two host ports must differ", () => {
    const error = errorOf(() =>
      loadConfigs({
        environ: {
          SMART_ACCESS_PORTS__API: "15000",
          SMART_ACCESS_PORTS__POSTGRES: "15000",
        },
      }),
    );

    expect(error.problems).toMatchInlineSnapshot(`
[
  "[local] ports.postgres: got '15000'; expected a host port different from ports.api",
]
`);
  });

  test.each([
    ["512m", 512],
    ["1g", 1024],
    ["1.5g", 1536],
    ["262144k", 256],
    ["536870912", 512],
    ["64M", 64],
  ])("memory %s is %d MB", (text, megabytes) => {
    expect(memoryToMegabytes(text)).toBe(megabytes);
  });

  test.each(["", "12x", "m", "-1g", "1 tonne"])(
    "memory %p cannot be read",
    (text) => {
      expect(memoryToMegabytes(text)).toBeUndefined();
    },
  );
});

describe("environmentVariableOf", () => {
  test("joins upper snake-case segments with a double underscore", () => {
    expect(environmentVariableOf("api.workersPerCore")).toBe(
      "SMART_ACCESS_API__WORKERS_PER_CORE",
    );
    expect(environmentVariableOf("limits.api.memory", "local")).toBe(
      "SMART_ACCESS_LOCAL__LIMITS__API__MEMORY",
    );
  });

  test("every setting has its own variable", () => {
    const names = SETTINGS.map((s) => environmentVariableOf(s.path));

    expect(new Set(names).size).toBe(SETTINGS.length);
  });
});

describe("the config file's JSON Schema", () => {
  test("config/smart-access-config.schema.json is what the settings table gives", () => {
    const committed = JSON.parse(fs.readFileSync(SCHEMA_FILE, "utf8"));

    expect(committed).toEqual(configJsonSchema());
  });

  test("names every setting, nested as the file nests it", () => {
    const local = (configJsonSchema().properties as any).local;

    expect(local.properties.api.properties.workersPerCore.type).toEqual([
      "number",
      "string",
    ]);
    expect(local.properties.limits.properties.api.properties.memory.type).toBe(
      "string",
    );
    expect(local.additionalProperties).toBe(false);
  });
});

describe("docs/configuration.md", () => {
  test("its example config file loads", () => {
    const doc = fs.readFileSync(
      path.join(__dirname, "..", "..", "docs", "configuration.md"),
      "utf8",
    );
    const example = /```json\n([\s\S]*?)```/.exec(doc)![1];

    const { local, production } = loadConfigs({
      environ: { SMART_ACCESS_CONFIG: writeConfig(example) },
    });

    expect(local.config.name).toBe("smart-access-test");
    expect(production.config.database.host).toBe("db.example.org");
  });

  test("embeds the settings table as the code renders it", () => {
    const doc = fs.readFileSync(CONFIGURATION_DOC, "utf8");

    expect(embeddedTable(doc)).toBe(renderSettingsTable());
  });

  test("every default in the table passes its own validation", () => {
    expect(() => loadConfigs({ environ: {} })).not.toThrow();
  });
});
