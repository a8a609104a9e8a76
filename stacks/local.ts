import { DockerProvider } from "@cdktf/provider-docker/lib/provider";
import { Network } from "@cdktf/provider-docker/lib/network";
import { PostgresqlProvider } from "@cdktf/provider-postgresql/lib/provider";
import { Annotations, LocalBackend, TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { DeploymentConfig } from "../config/schema";
import { SmartAccessApplication } from "../constructs/application";
import { addOutputs } from "../constructs/outputs";
import {
  POSTGRES_CONTAINER_PORT,
  PostgresServer,
} from "../constructs/postgres-server";
import { DeploymentSecrets } from "../constructs/secrets";

export interface LocalStackProps {
  /** The local stack's typed configuration. */
  readonly config: DeploymentConfig;
  /** Repository root on the synthesizing machine, for the image hash. */
  readonly contextDir: string;
  /** Synth-time warnings from loading the configuration. @default - none */
  readonly warnings?: readonly string[];
}

/**
 * Everything on one Docker engine: a network, PostgreSQL with its data
 * volume, the API image, the migration job and the API, health-gated.
 */
export class LocalStack extends TerraformStack {
  public readonly postgres: PostgresServer;
  public readonly application: SmartAccessApplication;

  constructor(scope: Construct, id: string, props: LocalStackProps) {
    super(scope, id);

    const { config } = props;
    // Relative to cdktf.out/stacks/<stack>/, so the synthesized JSON holds
    // no path of the machine that made it.
    new LocalBackend(this, { path: `../../../terraform.${id}.tfstate` });
    for (const warning of props.warnings ?? []) {
      Annotations.of(this).addWarning(`[smart-access:config] ${warning}`);
    }

    new DockerProvider(this, "docker", { host: config.docker.host });

    const secrets = new DeploymentSecrets(this, "secrets", {
      names: [
        "postgresSuperuserPassword",
        "dbOwnerPassword",
        "dbRuntimePassword",
        "pinHashKey",
        "bootstrapAdminToken",
      ],
    });

    const network = new Network(this, "network", {
      name: `${config.name}-net`,
      driver: "bridge",
    });

    this.postgres = new PostgresServer(this, "postgres", {
      namePrefix: config.name,
      image: config.images.postgres,
      networkName: network.name,
      hostPort: config.ports.postgres,
      publishAddress: config.ports.publishAddress,
      superuser: config.database.adminUser,
      superuserPassword: secrets.value("postgresSuperuserPassword"),
      cpus: config.limits.postgres.cpus,
      memory: config.limits.postgres.memory,
      waitTimeoutSeconds: config.waitTimeouts.postgres,
      stopGraceSeconds: config.stop.postgresGraceSeconds,
      logMaxSize: config.logs.maxSize,
      logMaxFiles: config.logs.maxFiles,
    });

    // Configured from values known at synth time (loopback, the fixed host
    // port, a variable): never from attributes of resources in this stack.
    const postgresql = new PostgresqlProvider(this, "postgresql", {
      host: "127.0.0.1",
      port: config.ports.postgres,
      username: config.database.adminUser,
      password: secrets.value("postgresSuperuserPassword"),
      database: "postgres",
      superuser: config.database.adminIsSuperuser,
      sslmode: config.database.sslmode,
      connectTimeout: 15,
    });

    this.application = new SmartAccessApplication(this, "app", {
      config,
      contextDir: props.contextDir,
      postgresqlProvider: postgresql,
      networkName: network.name,
      databaseHost: this.postgres.hostname,
      databasePort: POSTGRES_CONTAINER_PORT,
      secrets,
      bootstrapAdminToken: true,
      databaseReady: [this.postgres.container],
    });

    addOutputs(this, config);
  }
}
