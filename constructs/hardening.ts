import { createHash } from "crypto";
import {
  ContainerConfig,
  ContainerHealthcheck,
} from "@cdktf/provider-docker/lib/container";
import { ConfigError } from "../config/errors";
import { checkProp, memoryToMegabytes } from "../config/validate";

/** Settings every Smart Access container shares. */
export interface HardeningProps {
  /** CPUs the container may use, such as "1" or "0.5". */
  readonly cpus: string;
  /** Memory limit such as "512m". */
  readonly memory: string;
  /** json-file log size before rotation. @default "10m" */
  readonly logMaxSize?: string;
  /** Rotated log files kept. @default 3 */
  readonly logMaxFiles?: number;
  /** Docker restart policy. @default "unless-stopped" */
  readonly restart?: "no" | "on-failure" | "always" | "unless-stopped";
  /**
   * uid:gid the process runs as; undefined leaves the image's user, for
   * images whose entrypoint drops privileges itself. @default - the image's user
   */
  readonly user?: string;
  /** Read-only root filesystem with tmpfs on /tmp and /dev/shm. @default true */
  readonly readOnlyRootFilesystem?: boolean;
  /** Drop every Linux capability. @default true */
  readonly dropAllCapabilities?: boolean;
}

/** Label carrying the healthcheck hash; labels force replacement in 3.6.2. */
export const HEALTHCHECK_HASH_LABEL = "smart-access.healthcheck-sha256";

/**
 * The container settings for these props: non-root, read-only, no new
 * privileges, capabilities dropped, limits, restart policy, rotated logs.
 */
export function hardenedContainerSettings(
  props: HardeningProps,
): Partial<ContainerConfig> {
  const problems: string[] = [];
  checkProp(problems, "cpus", { type: "cpus" }, props.cpus);
  checkProp(problems, "memory", { type: "memory" }, props.memory);
  checkProp(problems, "logMaxSize", { type: "size" }, props.logMaxSize);
  checkProp(
    problems,
    "logMaxFiles",
    { type: "integer", min: 1 },
    props.logMaxFiles,
  );
  if (problems.length > 0)
    throw new ConfigError(problems, "container hardening");

  const readOnly = props.readOnlyRootFilesystem ?? true;
  const dropAll = props.dropAllCapabilities ?? true;
  return {
    user: props.user,
    readOnly: readOnly ? true : undefined,
    // Gunicorn keeps its worker heartbeat files in /dev/shm.
    tmpfs: readOnly
      ? {
          "/tmp": "rw,noexec,nosuid,nodev,size=64m",
          "/dev/shm": "rw,noexec,nosuid,nodev,size=64m",
        }
      : undefined,
    securityOpts: ["no-new-privileges:true"],
    capabilities: dropAll ? { drop: ["ALL"] } : undefined,
    cpus: props.cpus,
    memory: memoryToMegabytes(props.memory),
    restart: props.restart ?? "unless-stopped",
    logDriver: "json-file",
    logOpts: {
      "max-size": props.logMaxSize ?? "10m",
      "max-file": String(props.logMaxFiles ?? 3),
    },
  };
}

/**
 * kreuzwerker/docker 3.6.2 plans an edited healthcheck as an in-place
 * update and then changes nothing; a label holding this hash makes any
 * edit replace the container instead.
 */
export function healthcheckHash(healthcheck: ContainerHealthcheck): string {
  const canonical = JSON.stringify([
    healthcheck.test,
    healthcheck.interval ?? null,
    healthcheck.timeout ?? null,
    healthcheck.startPeriod ?? null,
    healthcheck.startInterval ?? null,
    healthcheck.retries ?? null,
  ]);
  return createHash("sha256").update(canonical).digest("hex");
}
