import { Container } from "@cdktf/provider-docker/lib/container";
import { Volume } from "@cdktf/provider-docker/lib/volume";
import { Testing } from "cdktf";
import { ConfigError } from "../../config";
import { HEALTHCHECK_HASH_LABEL } from "../../constructs/hardening";
import {
  PostgresServer,
  PostgresServerProps,
} from "../../constructs/postgres-server";

const PROPS: PostgresServerProps = {
  namePrefix: "sa",
  image: "postgres:15-bookworm",
  networkName: "sa-net",
  hostPort: 55432,
  superuserPassword: "${var.postgres_superuser_password}",
  cpus: "1",
  memory: "512m",
};

function synth(props: Partial<PostgresServerProps> = {}) {
  return Testing.synthScope((scope) => {
    new PostgresServer(scope, "postgres", { ...PROPS, ...props });
  });
}

function container(text: string) {
  return Object.values<any>(JSON.parse(text).resource.docker_container)[0];
}

describe("PostgresServer", () => {
  test("is healthy only when the real server accepts TCP for the user and database", () => {
    const text = synth();

    expect(text).toHaveResourceWithProperties(Container, {
      wait: true,
      wait_timeout: 60,
    });
    expect(container(text).healthcheck.test).toEqual([
      "CMD",
      "pg_isready",
      "-h",
      "127.0.0.1",
      "-p",
      "5432",
      "-U",
      "postgres",
      "-d",
      "postgres",
    ]);
  });

  test("sets no start_interval, which Docker engines before 25 refuse", () => {
    expect(container(synth()).healthcheck.start_interval).toBeUndefined();
  });

  test("the healthcheck follows the configured superuser and database", () => {
    const { healthcheck } = container(
      synth({ superuser: "admin", maintenanceDatabase: "maint" }),
    );

    expect(healthcheck.test).toEqual(
      expect.arrayContaining(["-U", "admin", "-d", "maint"]),
    );
  });

  test("keeps its data in a named, prefixed volume", () => {
    const text = synth();

    expect(text).toHaveResourceWithProperties(Volume, { name: "sa-pgdata" });
    expect(container(text).volumes).toEqual([
      {
        container_path: "/var/lib/postgresql/data",
        volume_name: expect.stringMatching(
          /^\$\{docker_volume\.[^.]+\.name\}$/,
        ),
      },
    ]);
  });

  test("shuts down fast and clean: SIGINT with a grace period", () => {
    expect(synth({ stopGraceSeconds: 45 })).toHaveResourceWithProperties(
      Container,
      { stop_signal: "SIGINT", destroy_grace_seconds: 45, stop_timeout: 45 },
    );
  });

  test("is published on loopback only, on the configured host port", () => {
    expect(container(synth()).ports).toEqual([
      { internal: 5432, external: 55432, ip: "127.0.0.1", protocol: "tcp" },
    ]);
  });

  test("restarts, rotates its logs and has CPU and memory limits", () => {
    expect(synth()).toHaveResourceWithProperties(Container, {
      name: "sa-postgres",
      restart: "unless-stopped",
      log_driver: "json-file",
      log_opts: { "max-size": "10m", "max-file": "3" },
      cpus: "1",
      memory: 512,
      security_opts: ["no-new-privileges:true"],
    });
  });

  test("takes its password from the variable, never a literal", () => {
    expect(container(synth()).env).toContain(
      "POSTGRES_PASSWORD=${var.postgres_superuser_password}",
    );
  });

  test("a changed healthcheck changes the replacement label", () => {
    const before = container(synth()).labels;
    const after = container(synth({ superuser: "other" })).labels;

    expect(before[0].label).toBe(HEALTHCHECK_HASH_LABEL);
    expect(after[0].value).not.toBe(before[0].value);
  });

  test("with bad props, one error lists them all", () => {
    expect(() => synth({ hostPort: 0, waitTimeoutSeconds: -5 })).toThrow(
      ConfigError,
    );
    expect(() => synth({ hostPort: 0, waitTimeoutSeconds: -5 }))
      .toThrowErrorMatchingInlineSnapshot(`
"Invalid Smart Access configuration (PostgreSQL server): 2 problems.
  - hostPort: got '0'; expected a whole number from 1 to 65535
  - waitTimeoutSeconds: got '-5'; expected a whole number of at least 1
Fix these values (see docs/configuration.md) and run synth again."
`);
  });
});
