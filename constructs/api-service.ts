import {
  Container,
  ContainerHealthcheck,
} from "@cdktf/provider-docker/lib/container";
import { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { ConfigError } from "../config/errors";
import { checkProp } from "../config/validate";
import {
  ApiEnvironmentProps,
  renderApiEnvironment,
  withDefaults,
} from "./api-environment";
import {
  HEALTHCHECK_HASH_LABEL,
  hardenedContainerSettings,
  healthcheckHash,
} from "./hardening";

/** The uid:gid the API image's user has; the container runs as it. */
export const API_USER = "10001:10001";

export interface ApiServiceProps {
  /** Deployment name; prefixes the container name. */
  readonly namePrefix: string;
  /** Image ID of the API image. */
  readonly image: string;
  /** Docker network the container joins. */
  readonly networkName: string;
  /** The API's environment with the runtime role's credentials. */
  readonly environment: ApiEnvironmentProps;
  /** Host port the API is published on. */
  readonly hostPort: number;
  /** Host address the port is published on. @default "127.0.0.1" */
  readonly publishAddress?: string;
  /** CPUs the container may use. */
  readonly cpus: string;
  /** Memory limit such as "512m". */
  readonly memory: string;
  /** Seconds `wait` polls for healthy before failing. @default 60 */
  readonly waitTimeoutSeconds?: number;
  /** Seconds added to GRACEFUL_TIMEOUT for the stop grace. @default 10 */
  readonly stopGraceMarginSeconds?: number;
  /** json-file log size before rotation. @default "10m" */
  readonly logMaxSize?: string;
  /** Rotated log files kept. @default 3 */
  readonly logMaxFiles?: number;
  /**
   * Readiness check run inside the container.
   * @default API_HEALTHCHECK: `python -m app.healthcheck` every 2 s
   */
  readonly healthcheck?: ContainerHealthcheck;
  /** What must finish first: the migration job. */
  readonly dependsOn: ITerraformDependable[];
}

/**
 * The readiness probe lives in the image (app.healthcheck), so it reads the
 * same BIND/API_PORT the server does.
 */
export const API_HEALTHCHECK: ContainerHealthcheck = {
  test: ["CMD", "python", "-m", "app.healthcheck"],
  // The probe starts an interpreter and imports the app package, which
  // took over 10 s on a loaded 2-CPU host; its HTTP call is bounded to 2 s.
  interval: "3s",
  timeout: "30s",
  retries: 3,
  // Failures in the start period do not count, a success ends it at once,
  // so a long one costs nothing. No start_interval: Docker APIs before
  // 1.44 (engine 25) refuse it.
  startPeriod: "60s",
};

/** The port Gunicorn listens on inside the container, from BIND or API_PORT. */
export function containerPort(environment: ApiEnvironmentProps): number {
  const full = withDefaults(environment);
  if (full.bind) return Number(full.bind.slice(full.bind.lastIndexOf(":") + 1));
  return full.apiPort!;
}

/** The API container: hardened, health-gated, stopped gracefully. */
export class ApiService extends Construct {
  public readonly container: Container;
  /** Seconds a stop or replacement waits before killing the API. */
  public readonly stopGraceSeconds: number;

  constructor(scope: Construct, id: string, props: ApiServiceProps) {
    super(scope, id);

    const problems: string[] = [];
    checkProp(problems, "hostPort", { type: "port" }, props.hostPort);
    checkProp(
      problems,
      "waitTimeoutSeconds",
      { type: "integer", min: 1 },
      props.waitTimeoutSeconds,
    );
    checkProp(
      problems,
      "stopGraceMarginSeconds",
      { type: "integer", min: 1 },
      props.stopGraceMarginSeconds,
    );
    if (problems.length > 0) throw new ConfigError(problems, "API service");

    const env = renderApiEnvironment(props.environment);
    const full = withDefaults(props.environment);
    this.stopGraceSeconds =
      full.gracefulTimeout! + (props.stopGraceMarginSeconds ?? 10);

    const healthcheck = props.healthcheck ?? API_HEALTHCHECK;

    this.container = new Container(this, "container", {
      name: `${props.namePrefix}-api`,
      image: props.image,
      command: ["serve"],
      env,
      ...hardenedContainerSettings({
        cpus: props.cpus,
        memory: props.memory,
        logMaxSize: props.logMaxSize,
        logMaxFiles: props.logMaxFiles,
        user: API_USER,
      }),
      networksAdvanced: [{ name: props.networkName }],
      ports: [
        {
          internal: containerPort(props.environment),
          external: props.hostPort,
          ip: props.publishAddress ?? "127.0.0.1",
          protocol: "tcp",
        },
      ],
      healthcheck,
      labels: [
        { label: HEALTHCHECK_HASH_LABEL, value: healthcheckHash(healthcheck) },
      ],
      wait: true,
      waitTimeout: props.waitTimeoutSeconds ?? 60,
      // Gunicorn's graceful stop: finish in-flight requests within
      // GRACEFUL_TIMEOUT, then exit.
      stopSignal: "SIGTERM",
      stopTimeout: this.stopGraceSeconds,
      destroyGraceSeconds: this.stopGraceSeconds,
      mustRun: true,
      dependsOn: props.dependsOn,
    });
  }
}
