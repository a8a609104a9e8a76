/**
 * The rehearsal on the real Docker engine: a network, a volume, a one-shot
 * job with a postcondition and a health-gated service, applied, planned
 * again, broken, and destroyed. Needs a running engine and the image
 * smart-access/debian-standin:bookworm (scripts/images.sh builds it).
 */
import { execFileSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Engine } from "../../rehearsal/engine";
import { ApplyError } from "../../rehearsal/errors";
import { formatPlan } from "../../rehearsal/plan";
import { HANDLERS } from "../../rehearsal/resources";
import { parseStack } from "../../rehearsal/stack";
import { readState } from "../../rehearsal/state";

jest.setTimeout(180_000);

const IMAGE = "smart-access/debian-standin:bookworm";
const PREFIX = `sa-rehearsal-test-${crypto.randomBytes(3).toString("hex")}`;
const SECRET = `secret-${crypto.randomBytes(8).toString("hex")}`;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sa-rehearsal-"));
const stateFile = path.join(dir, "state.json");

function docker(...args: string[]): string {
  return execFileSync("docker", args, { encoding: "utf8" }).trim();
}

function leftovers(): string[] {
  return [
    docker("ps", "-aq", "--filter", `name=${PREFIX}`),
    docker("network", "ls", "-q", "--filter", `name=${PREFIX}`),
    docker("volume", "ls", "-q", "--filter", `name=${PREFIX}`),
  ].filter(Boolean);
}

function stackJson(jobExit: number): Record<string, unknown> {
  return {
    provider: { docker: [{ host: "unix:///var/run/docker.sock" }] },
    variable: { token: { type: "string", sensitive: true } },
    resource: {
      docker_network: { net: { name: `${PREFIX}-net` } },
      docker_volume: { data: { name: `${PREFIX}-data` } },
      docker_container: {
        job: {
          name: `${PREFIX}-job`,
          image: IMAGE,
          command: ["sh", "-c", `echo job ran; exit ${jobExit}`],
          env: ["TOKEN=${var.token}"],
          attach: true,
          must_run: false,
          logs: true,
          networks_advanced: [{ name: "${docker_network.net.name}" }],
          lifecycle: {
            postcondition: [
              {
                condition: "${self.exit_code == 0}",
                error_message: "The job failed.",
              },
            ],
          },
        },
        svc: {
          name: `${PREFIX}-svc`,
          image: IMAGE,
          command: ["sleep", "600"],
          init: true,
          read_only: true,
          user: "65534:65534",
          healthcheck: { test: ["CMD", "true"], interval: "1s", retries: 2 },
          wait: true,
          wait_timeout: 30,
          destroy_grace_seconds: 2,
          networks_advanced: [
            { name: "${docker_network.net.name}", aliases: ["svc"] },
          ],
          volumes: [
            {
              volume_name: "${docker_volume.data.name}",
              container_path: "/data",
            },
          ],
          depends_on: ["docker_container.job"],
        },
      },
    },
    output: { svc: { value: "${docker_container.svc.name}" } },
  };
}

function engine(jobExit: number, lines: string[]): Engine {
  return new Engine({
    stack: parseStack(stackJson(jobExit), dir),
    state: readState(stateFile),
    handlers: HANDLERS,
    env: { TF_VAR_token: SECRET },
    stateFile,
    log: (l) => lines.push(l),
  });
}

beforeAll(() => {
  try {
    docker("image", "inspect", IMAGE);
  } catch {
    throw new Error(
      `the rehearsal integration test needs a running Docker engine and the image ${IMAGE}; run scripts/ensure-docker.sh and scripts/images.sh`,
    );
  }
});

afterAll(async () => {
  await engine(0, [])
    .destroyAll()
    .catch(() => undefined);
  for (const kind of [
    ["rm", "-f", "-v"],
    ["network", "rm"],
    ["volume", "rm"],
  ]) {
    const ids =
      kind[0] === "rm"
        ? docker("ps", "-aq", "--filter", `name=${PREFIX}`)
        : docker(kind[0], "ls", "-q", "--filter", `name=${PREFIX}`);
    if (ids)
      execFileSync("docker", [...kind, ...ids.split("\n")], {
        stdio: "ignore",
      });
  }
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("rehearsal on the real engine", () => {
  const logs: string[] = [];

  test("apply creates everything in order and gates the service on health", async () => {
    await engine(0, logs).apply();

    const state = readState(stateFile);
    expect(state.resources["docker_container.job"].outputs.exit_code).toBe(0);
    expect(
      state.resources["docker_container.job"].outputs.container_logs,
    ).toContain("job ran");
    expect(state.outputs.svc).toEqual({
      value: `${PREFIX}-svc`,
      sensitive: false,
    });
    expect(
      docker("inspect", "-f", "{{.State.Health.Status}}", `${PREFIX}-svc`),
    ).toBe("healthy");
    const networks = JSON.parse(
      docker(
        "inspect",
        "-f",
        "{{json .NetworkSettings.Networks}}",
        `${PREFIX}-svc`,
      ),
    );
    expect(Object.keys(networks)).toEqual([`${PREFIX}-net`]);
    expect(
      docker(
        "inspect",
        "-f",
        "{{.HostConfig.ReadonlyRootfs}} {{.Config.User}}",
        `${PREFIX}-svc`,
      ),
    ).toBe("true 65534:65534");
  });

  test("a second plan with nothing changed is empty", async () => {
    const { plan } = await engine(0, []).plan();
    expect(formatPlan(plan)).toEqual([]);
  });

  test("a job that exits non-zero fails its postcondition, with the container named", async () => {
    const e = engine(3, logs);
    const { plan } = await e.plan();
    expect(formatPlan(plan)).toEqual([
      "-/+ replace docker_container.job (changed: command)",
    ]);
    const error = await e.apply().then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(ApplyError);
    expect((error as ApplyError).message).toBe(
      "docker_container.job: postcondition failed: The job failed.",
    );
    expect((error as ApplyError).container).toBe(`${PREFIX}-job`);
    expect(readState(stateFile).resources["docker_container.job"].tainted).toBe(
      true,
    );
  });

  test("secrets appear neither in the state nor in the progress lines", () => {
    expect(fs.readFileSync(stateFile, "utf8")).not.toContain(SECRET);
    expect(logs.join("\n")).not.toContain(SECRET);
  });

  test("destroy removes everything it made", async () => {
    const n = await engine(0, []).destroyAll();
    expect(n).toBe(4);
    expect(leftovers()).toEqual([]);
    expect(readState(stateFile).resources).toEqual({});
  });
});
