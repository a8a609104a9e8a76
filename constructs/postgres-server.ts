import {
  Container,
  ContainerHealthcheck,
} from "@cdktf/provider-docker/lib/container";
import { Volume } from "@cdktf/provider-docker/lib/volume";
import { Construct } from "constructs";
import { ConfigError } from "../config/errors";
import { checkProp } from "../config/validate";
import {
  HEALTHCHECK_HASH_LABEL,
  hardenedContainerSettings,
  healthcheckHash,
} from "./hardening";

/** Port PostgreSQL listens on inside its container. */
export const POSTGRES_CONTAINER_PORT = 5432;

export interface PostgresServerProps {
  /** Deployment name; prefixes the container and volume names. */
  readonly namePrefix: string;
  /** PostgreSQL image honouring POSTGRES_USER/PASSWORD/DB and PGDATA. */
  readonly image: string;
  /** Docker network the container joins. */
  readonly networkName: string;
  /** Host port published on publishAddress, for the postgresql provider. */
  readonly hostPort: number;
  /** Host address the port is published on. @default "127.0.0.1" */
  readonly publishAddress?: string;
  /** Superuser role created at first start. @default "postgres" */
  readonly superuser?: string;
  /** Superuser password: a token of a sensitive variable. */
  readonly superuserPassword: string;
  /** Database created at first start, used by the healthcheck. @default "postgres" */
  readonly maintenanceDatabase?: string;
  /** CPUs the container may use. */
  readonly cpus: string;
  /** Memory limit such as "512m". */
  readonly memory: string;
  /** Seconds `wait` polls for healthy before failing. @default 60 */
  readonly waitTimeoutSeconds?: number;
  /** Seconds a fast shutdown may take before SIGKILL. @default 60 */
  readonly stopGraceSeconds?: number;
  /** json-file log size before rotation. @default "10m" */
  readonly logMaxSize?: string;
  /** Rotated log files kept. @default 3 */
  readonly logMaxFiles?: number;
}

/** A PostgreSQL container with a named data volume, healthy only when it serves TCP. */
export class PostgresServer extends Construct {
  public readonly container: Container;
  public readonly volume: Volume;
  /** Host name of the server on the Docker network. */
  public readonly hostname: string;

  constructor(scope: Construct, id: string, props: PostgresServerProps) {
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
      "stopGraceSeconds",
      { type: "integer", min: 1 },
      props.stopGraceSeconds,
    );
    if (problems.length > 0)
      throw new ConfigError(problems, "PostgreSQL server");

    const superuser = props.superuser ?? "postgres";
    const database = props.maintenanceDatabase ?? "postgres";
    const stopGrace = props.stopGraceSeconds ?? 60;
    this.hostname = `${props.namePrefix}-postgres`;

    this.volume = new Volume(this, "data", {
      name: `${props.namePrefix}-pgdata`,
    });

    // The image's init-time server listens on the Unix socket only, so a
    // check over TCP to 127.0.0.1 passes only once the real server is up.
    const healthcheck: ContainerHealthcheck = {
      test: [
        "CMD",
        "pg_isready",
        "-h",
        "127.0.0.1",
        "-p",
        String(POSTGRES_CONTAINER_PORT),
        "-U",
        superuser,
        "-d",
        database,
      ],
      interval: "2s",
      timeout: "5s",
      retries: 5,
      // initdb and the init scripts run inside the start period. No
      // start_interval: Docker APIs before 1.44 (engine 25) refuse it.
      startPeriod: "30s",
    };

    this.container = new Container(this, "container", {
      name: this.hostname,
      image: props.image,
      hostname: this.hostname,
      env: [
        `POSTGRES_USER=${superuser}`,
        `POSTGRES_PASSWORD=${props.superuserPassword}`,
        `POSTGRES_DB=${database}`,
        "PGDATA=/var/lib/postgresql/data",
      ],
      ...hardenedContainerSettings({
        cpus: props.cpus,
        memory: props.memory,
        logMaxSize: props.logMaxSize,
        logMaxFiles: props.logMaxFiles,
        // The image's entrypoint starts as root to chown PGDATA, then drops
        // to the postgres user itself; it needs a writable root and its caps.
        readOnlyRootFilesystem: false,
        dropAllCapabilities: false,
      }),
      volumes: [
        {
          volumeName: this.volume.name,
          containerPath: "/var/lib/postgresql/data",
        },
      ],
      networksAdvanced: [{ name: props.networkName, aliases: [this.hostname] }],
      ports: [
        {
          internal: POSTGRES_CONTAINER_PORT,
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
      // SIGINT is PostgreSQL's fast shutdown: it ends sessions, checkpoints
      // and exits cleanly. SIGTERM (smart) would wait for every client.
      stopSignal: "SIGINT",
      stopTimeout: stopGrace,
      destroyGraceSeconds: stopGrace,
      mustRun: true,
    });
  }
}
