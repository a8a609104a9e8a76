import { Container } from "@cdktf/provider-docker/lib/container";
import { Testing } from "cdktf";
import {
  API_HEALTHCHECK,
  API_USER,
  ApiService,
  ApiServiceProps,
  containerPort,
} from "../../constructs/api-service";
import { HEALTHCHECK_HASH_LABEL } from "../../constructs/hardening";

const ENVIRONMENT = {
  appEnv: "local" as const,
  dbHost: "sa-postgres",
  dbName: "smart_access",
  dbUser: "sa_app",
  dbPassword: "${var.db_runtime_password}",
  pinHashKey: "${var.pin_hash_key}",
};

function synth(props: Partial<ApiServiceProps> = {}) {
  return Testing.synthScope((scope) => {
    const migration = new Container(scope, "migration", {
      name: "m",
      image: "x",
    });
    new ApiService(scope, "api", {
      namePrefix: "sa",
      image: "sha256:abc",
      networkName: "sa-net",
      environment: ENVIRONMENT,
      hostPort: 8080,
      cpus: "1.5",
      memory: "768m",
      dependsOn: [migration],
      ...props,
    });
  });
}

function api(text: string) {
  return Object.values<any>(JSON.parse(text).resource.docker_container).find(
    (c) => c.name === "sa-api",
  );
}

describe("ApiService", () => {
  test("is created only once its HTTP readiness healthcheck passes", () => {
    const text = synth({ waitTimeoutSeconds: 20 });

    expect(text).toHaveResourceWithProperties(Container, {
      name: "sa-api",
      wait: true,
      wait_timeout: 20,
    });
    expect(api(text).healthcheck.test).toEqual([
      "CMD",
      "python",
      "-m",
      "app.healthcheck",
    ]);
  });

  test("sets no start_interval, which Docker engines before 25 refuse", () => {
    expect(api(synth()).healthcheck.start_interval).toBeUndefined();
  });

  test("starts after the migration job", () => {
    expect(api(synth()).depends_on).toEqual(["docker_container.migration"]);
  });

  test("runs hardened: non-root, read-only, tmpfs, no new privileges, no capabilities", () => {
    const text = synth();

    expect(text).toHaveResourceWithProperties(Container, {
      name: "sa-api",
      user: API_USER,
      read_only: true,
      security_opts: ["no-new-privileges:true"],
      capabilities: { drop: ["ALL"] },
    });
    expect(Object.keys(api(text).tmpfs).sort()).toEqual(["/dev/shm", "/tmp"]);
    expect(API_USER).toBe("10001:10001");
  });

  test("has CPU and memory limits, a restart policy and rotated logs", () => {
    expect(
      synth({ logMaxSize: "5m", logMaxFiles: 2 }),
    ).toHaveResourceWithProperties(Container, {
      name: "sa-api",
      cpus: "1.5",
      memory: 768,
      restart: "unless-stopped",
      log_driver: "json-file",
      log_opts: { "max-size": "5m", "max-file": "2" },
    });
  });

  test("its stop grace is GRACEFUL_TIMEOUT plus the margin", () => {
    const text = synth({
      environment: { ...ENVIRONMENT, gracefulTimeout: 45 },
      stopGraceMarginSeconds: 15,
    });

    expect(text).toHaveResourceWithProperties(Container, {
      name: "sa-api",
      stop_signal: "SIGTERM",
      destroy_grace_seconds: 60,
      stop_timeout: 60,
    });
    expect(api(text).env).toContain("GRACEFUL_TIMEOUT=45");
  });

  test("is published on loopback only, to the port Gunicorn listens on", () => {
    expect(api(synth()).ports).toEqual([
      { internal: 5000, external: 8080, ip: "127.0.0.1", protocol: "tcp" },
    ]);
    expect(
      api(synth({ environment: { ...ENVIRONMENT, bind: "0.0.0.0:8000" } }))
        .ports[0].internal,
    ).toBe(8000);
  });

  test.each([
    [{ apiPort: 6000 }, 6000],
    [{ bind: "[::]:7000" }, 7000],
    [{}, 5000],
  ])("containerPort(%p) is %d", (extra, port) => {
    expect(containerPort({ ...ENVIRONMENT, ...extra })).toBe(port);
  });

  test("connects as the runtime role with the runtime password variable", () => {
    expect(api(synth()).env).toEqual(
      expect.arrayContaining([
        "DB_USER=sa_app",
        "DB_PASSWORD=${var.db_runtime_password}",
        "PIN_HASH_KEY=${var.pin_hash_key}",
      ]),
    );
  });

  test("a changed healthcheck changes the label, which replaces the container in 3.6.2", () => {
    const labels = api(synth()).labels;
    const edited = api(
      synth({ healthcheck: { ...API_HEALTHCHECK, interval: "5s" } }),
    ).labels;

    expect(edited[0].value).not.toBe(labels[0].value);
    expect(labels).toEqual([
      {
        label: HEALTHCHECK_HASH_LABEL,
        value: expect.stringMatching(/^[0-9a-f]{64}$/),
      },
    ]);
  });

  test("with bad props, one error lists them", () => {
    expect(() => synth({ hostPort: 99999, stopGraceMarginSeconds: 0 }))
      .toThrowErrorMatchingInlineSnapshot(`
"Invalid Smart Access configuration (API service): 2 problems.
  - hostPort: got '99999'; expected a whole number from 1 to 65535
  - stopGraceMarginSeconds: got '0'; expected a whole number of at least 1
Fix these values (see docs/configuration.md) and run synth again."
`);
  });
});
