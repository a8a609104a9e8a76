import { buildArguments } from "../../rehearsal/resources/docker-image";
import {
  createBody,
  durationNs,
} from "../../rehearsal/resources/docker-container";

describe("docker_image build", () => {
  test("the Dockerfile defaults to Dockerfile and is passed as given, for the CLI to resolve against the stack dir", () => {
    expect(buildArguments("api:1", { context: "../../.." })).toEqual([
      "build",
      "--tag",
      "api:1",
      "--file",
      "Dockerfile",
      "--rm=true",
      "../../..",
    ]);
    expect(
      buildArguments("api:1", {
        context: "../../..",
        dockerfile: "../../../Dockerfile",
        build_args: { BASE_IMAGE: "py" },
        target: "run",
      }),
    ).toEqual([
      "build",
      "--tag",
      "api:1",
      "--file",
      "../../../Dockerfile",
      "--build-arg",
      "BASE_IMAGE=py",
      "--target",
      "run",
      "--rm=true",
      "../../..",
    ]);
  });
});

describe("docker_container create body", () => {
  test.each([
    ["2s", 2e9],
    ["500ms", 5e8],
    ["1m30s", 90e9],
  ])("duration %s is %d ns", (text, ns) => expect(durationNs(text)).toBe(ns));

  test("a malformed duration is refused", () => {
    expect(() => durationNs("2 seconds")).toThrow(/not a duration/);
  });

  test("limits, ports, hardening and healthcheck map onto the Engine API", () => {
    const body = createBody({
      image: "sha256:abc",
      memory: 512,
      cpus: "0.5",
      read_only: true,
      capabilities: { drop: ["ALL"] },
      security_opts: ["no-new-privileges:true"],
      ports: [
        { internal: 5000, external: 8080, ip: "127.0.0.1", protocol: "tcp" },
      ],
      volumes: [{ volume_name: "data", container_path: "/var/lib/pg" }],
      healthcheck: { test: ["CMD", "true"], interval: "2s", retries: 3 },
      restart: "unless-stopped",
    }) as any;
    expect(body.HostConfig.Memory).toBe(512 * 1024 * 1024);
    expect(body.HostConfig.NanoCpus).toBe(5e8);
    expect(body.HostConfig.ReadonlyRootfs).toBe(true);
    expect(body.HostConfig.CapDrop).toEqual(["ALL"]);
    expect(body.HostConfig.PortBindings).toEqual({
      "5000/tcp": [{ HostIp: "127.0.0.1", HostPort: "8080" }],
    });
    expect(body.HostConfig.Binds).toEqual(["data:/var/lib/pg"]);
    expect(body.HostConfig.RestartPolicy).toEqual({
      Name: "unless-stopped",
      MaximumRetryCount: 0,
    });
    expect(body.Healthcheck).toMatchObject({
      Test: ["CMD", "true"],
      Interval: 2e9,
      Retries: 3,
    });
  });
});
