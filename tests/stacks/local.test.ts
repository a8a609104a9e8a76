import { Container } from "@cdktf/provider-docker/lib/container";
import { DockerProvider } from "@cdktf/provider-docker/lib/provider";
import { PostgresqlProvider } from "@cdktf/provider-postgresql/lib/provider";
import * as os from "os";
import * as path from "path";
import { startupGraph } from "../../scripts/graph";
import {
  addressesOf,
  allStrings,
  Json,
  REPOSITORY,
  resourceNamed,
  synthStack,
} from "./support";

const HASH_PLACEHOLDER = "<sha256 of the build context>";

function withoutHash(json: Json): Json {
  const copy = JSON.parse(JSON.stringify(json));
  for (const image of Object.values<Json>(copy.resource.docker_image)) {
    image.triggers.context_sha256 = HASH_PLACEHOLDER;
  }
  return copy;
}

describe("the local stack", () => {
  const { json, text } = synthStack("local");
  const edges = startupGraph(json).edges;
  const has = (from: string, to: string, kind: string) =>
    edges.some((e) => e.from === from && e.to === to && e.kind === kind);

  const postgres = resourceNamed(json, "docker_container", "-postgres");
  const migration = resourceNamed(json, "docker_container", "-migrate");
  const api = resourceNamed(json, "docker_container", "-api");
  const image = resourceNamed(json, "docker_image", "-api:latest");
  const databaseResources = addressesOf(
    json,
    "postgresql_role",
    "postgresql_database",
    "postgresql_schema",
    "postgresql_grant",
    "postgresql_default_privileges",
  );

  test("matches the snapshot, which holds nothing of this machine", () => {
    expect(text).not.toContain(REPOSITORY);
    expect(text).not.toContain(path.join(os.tmpdir(), "smart-access-"));
    expect(text).not.toContain(os.homedir());
    expect(withoutHash(json)).toMatchSnapshot();
  });

  test("the image trigger is a SHA-256 hex digest", () => {
    expect(image.body.triggers.context_sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  describe("startup graph", () => {
    test("PostgreSQL comes up on its network and volume", () => {
      const network = addressesOf(json, "docker_network")[0];
      const volume = addressesOf(json, "docker_volume")[0];

      expect(has(network, postgres.address, "reference")).toBe(true);
      expect(has(volume, postgres.address, "reference")).toBe(true);
    });

    test("every postgresql_* resource waits for the healthy PostgreSQL container", () => {
      expect(databaseResources).toHaveLength(12);
      for (const address of databaseResources) {
        expect(has(postgres.address, address, "depends_on")).toBe(true);
      }
      expect(postgres.body.wait).toBe(true);
    });

    test("the migration job waits for every postgresql_* resource and the image", () => {
      for (const address of databaseResources) {
        expect(has(address, migration.address, "depends_on")).toBe(true);
      }
      expect(has(image.address, migration.address, "reference")).toBe(true);
    });

    test("the API waits for the migration job and the image", () => {
      expect(has(migration.address, api.address, "depends_on")).toBe(true);
      expect(has(image.address, api.address, "reference")).toBe(true);
      expect(api.body.wait).toBe(true);
    });

    test("the API does not start before the database resources by any other path", () => {
      expect(api.body.depends_on).toEqual([migration.address]);
    });
  });

  test("the postgresql provider uses synth-time values: loopback, the fixed port, a variable", () => {
    expect(text).toHaveProviderWithProperties(PostgresqlProvider, {
      host: "127.0.0.1",
      port: 55432,
      username: "postgres",
      password: "${var.postgres_superuser_password}",
      sslmode: "disable",
      superuser: true,
    });
    expect(JSON.stringify(json.provider.postgresql)).not.toMatch(
      /docker_container|docker_network/,
    );
  });

  test("the docker provider talks to the configured host", () => {
    const custom = synthStack("local", {
      environ: { SMART_ACCESS_DOCKER__HOST: "tcp://127.0.0.1:2375" },
    });

    expect(text).toHaveProviderWithProperties(DockerProvider, {
      host: "unix:///var/run/docker.sock",
    });
    expect(custom.text).toHaveProviderWithProperties(DockerProvider, {
      host: "tcp://127.0.0.1:2375",
    });
  });

  test("pins the provider versions the bindings were generated for", () => {
    expect(json.terraform.required_providers).toEqual({
      docker: { source: "kreuzwerker/docker", version: "3.6.2" },
      postgresql: { source: "cyrilgdn/postgresql", version: "1.26.0" },
    });
  });

  test("keeps its state next to the project by a relative path", () => {
    expect(json.terraform.backend).toEqual({
      local: { path: "../../../terraform.local.tfstate" },
    });
  });

  test("every Docker resource name starts with the deployment name", () => {
    const named = synthStack("local", {
      environ: { SMART_ACCESS_NAME: "sa-e2e-42" },
    }).json;

    for (const type of [
      "docker_container",
      "docker_network",
      "docker_volume",
      "docker_image",
    ]) {
      for (const body of Object.values<Json>(named.resource[type])) {
        expect(body.name).toMatch(/^sa-e2e-42-/);
      }
    }
  });

  test("publishes PostgreSQL and the API on 127.0.0.1 only", () => {
    expect(postgres.body.ports[0]).toMatchObject({
      ip: "127.0.0.1",
      external: 55432,
    });
    expect(api.body.ports[0]).toMatchObject({
      ip: "127.0.0.1",
      external: 8080,
    });
  });

  test("declares the sensitive variables and nothing gives them a value", () => {
    expect(Object.keys(json.variable).sort()).toEqual([
      "bootstrap_admin_token",
      "db_owner_password",
      "db_runtime_password",
      "pin_hash_key",
      "postgres_superuser_password",
    ]);
    for (const variable of Object.values<Json>(json.variable)) {
      expect(variable).toMatchObject({ sensitive: true, type: "string" });
      expect(variable.default).toBeUndefined();
    }
  });

  test("every secret reaches a resource only as a variable reference", () => {
    const secretEnv =
      /^(POSTGRES_PASSWORD|DB_PASSWORD|PIN_HASH_KEY|BOOTSTRAP_ADMIN_TOKEN)=/;
    const entries = allStrings(json.resource).filter((s) => secretEnv.test(s));

    expect(entries).toHaveLength(6);
    for (const entry of entries) {
      expect(entry).toMatch(/^[A-Z_]+=\$\{var\.[a-z_]+\}$/);
    }
    for (const role of Object.values<Json>(json.resource.postgresql_role)) {
      expect(role.password).toMatch(/^\$\{var\.db_(owner|runtime)_password\}$/);
    }
  });

  test("secret values in the environment never leak into the JSON", () => {
    const secret = "s3cret-value-that-must-not-appear";
    const saved = { ...process.env };
    Object.assign(process.env, {
      TF_VAR_postgres_superuser_password: secret,
      TF_VAR_db_owner_password: secret,
      TF_VAR_pin_hash_key: secret,
    });
    try {
      expect(synthStack("local").text).not.toContain(secret);
    } finally {
      process.env = saved;
    }
  });

  test("outputs the API URL, the database and the role names, and no secret", () => {
    expect(json.output).toEqual({
      api_url: expect.objectContaining({ value: "http://127.0.0.1:8080" }),
      database_name: { value: "smart_access" },
      owner_role: expect.objectContaining({ value: "smart_access_owner" }),
      runtime_role: expect.objectContaining({ value: "smart_access_app" }),
    });
    expect(JSON.stringify(json.output)).not.toContain("var.");
  });

  test("the API environment follows the configuration", () => {
    const custom = synthStack("local", {
      environ: {
        SMART_ACCESS_LOCAL__API__WORKERS_PER_CORE: "0.5",
        SMART_ACCESS_API__LOG_LEVEL: "debug",
        SMART_ACCESS_API__WEB_CONCURRENCY: "3",
      },
    });
    const env: string[] = resourceNamed(custom.json, "docker_container", "-api")
      .body.env;

    expect(env).toEqual(
      expect.arrayContaining([
        "APP_ENV=local",
        "WORKERS_PER_CORE=0.5",
        "LOG_LEVEL=debug",
        "WEB_CONCURRENCY=3",
        "DB_HOST=smart-access-postgres",
        "DB_PORT=5432",
        "DB_SSLMODE=disable",
      ]),
    );
  });

  test("the migration job gets the bootstrap admin token; the API does not", () => {
    expect(migration.body.env).toContain(
      "BOOTSTRAP_ADMIN_TOKEN=${var.bootstrap_admin_token}",
    );
    expect(api.body.env.join("\n")).not.toContain("BOOTSTRAP_ADMIN_TOKEN");
  });

  test("wait timeouts come from the configuration", () => {
    const custom = synthStack("local", {
      environ: {
        SMART_ACCESS_WAIT_TIMEOUTS__POSTGRES: "15",
        SMART_ACCESS_WAIT_TIMEOUTS__API: "20",
      },
    });

    expect(custom.text).toHaveResourceWithProperties(Container, {
      name: "smart-access-postgres",
      wait_timeout: 15,
    });
    expect(custom.text).toHaveResourceWithProperties(Container, {
      name: "smart-access-api",
      wait_timeout: 20,
    });
  });
});
