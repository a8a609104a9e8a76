import { ConfigError } from "../../config";
import {
  hardenedContainerSettings,
  healthcheckHash,
} from "../../constructs/hardening";

describe("hardenedContainerSettings", () => {
  test("by default: read-only root, tmpfs, no new privileges, no capabilities", () => {
    const settings = hardenedContainerSettings({
      cpus: "0.5",
      memory: "1g",
      user: "10001:10001",
    });

    expect(settings).toMatchObject({
      user: "10001:10001",
      readOnly: true,
      tmpfs: {
        "/tmp": expect.stringContaining("rw"),
        "/dev/shm": expect.stringContaining("rw"),
      },
      securityOpts: ["no-new-privileges:true"],
      capabilities: { drop: ["ALL"] },
      cpus: "0.5",
      memory: 1024,
      restart: "unless-stopped",
      logDriver: "json-file",
      logOpts: { "max-size": "10m", "max-file": "3" },
    });
  });

  test("an image that drops privileges itself may keep a writable root and its capabilities", () => {
    const settings = hardenedContainerSettings({
      cpus: "1",
      memory: "512m",
      readOnlyRootFilesystem: false,
      dropAllCapabilities: false,
    });

    expect(settings.readOnly).toBeUndefined();
    expect(settings.tmpfs).toBeUndefined();
    expect(settings.capabilities).toBeUndefined();
    expect(settings.securityOpts).toEqual(["no-new-privileges:true"]);
  });

  test("with unreadable limits, one error names each", () => {
    let error: unknown;
    try {
      hardenedContainerSettings({ cpus: "lots", memory: "1x", logMaxFiles: 0 });
    } catch (err) {
      error = err;
    }

    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatchInlineSnapshot(`
"Invalid Smart Access configuration (container hardening): 3 problems.
  - cpus: got 'lots'; expected a number of CPUs greater than 0, such as '1' or '0.5'
  - memory: got '1x'; expected a memory size such as '512m' or '1g' (units b, k, m, g), at least 6m
  - logMaxFiles: got '0'; expected a whole number of at least 1
Fix these values (see docs/configuration.md) and run synth again."
`);
  });
});

describe("healthcheckHash", () => {
  const base = { test: ["CMD", "true"], interval: "2s", retries: 3 };

  test.each([
    ["test", { ...base, test: ["CMD", "false"] }],
    ["interval", { ...base, interval: "5s" }],
    ["retries", { ...base, retries: 4 }],
    ["timeout", { ...base, timeout: "1s" }],
    ["start period", { ...base, startPeriod: "9s" }],
  ])("changes when the %s changes", (_what, changed) => {
    expect(healthcheckHash(changed)).not.toBe(healthcheckHash(base));
  });

  test("is stable for the same healthcheck", () => {
    expect(healthcheckHash({ ...base })).toBe(healthcheckHash(base));
    expect(healthcheckHash(base)).toMatch(/^[0-9a-f]{64}$/);
  });
});
