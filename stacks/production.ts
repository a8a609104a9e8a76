import { DockerProvider } from "@cdktf/provider-docker/lib/provider";
import { Network } from "@cdktf/provider-docker/lib/network";
import { PostgresqlProvider } from "@cdktf/provider-postgresql/lib/provider";
import {
  Annotations,
  LocalBackend,
  TerraformStack,
  TerraformVariable,
} from "cdktf";
import { Construct } from "constructs";
import { DeploymentConfig } from "../config/schema";
import { SmartAccessApplication } from "../constructs/application";
import { addOutputs } from "../constructs/outputs";
import { DeploymentSecrets } from "../constructs/secrets";

export interface ProductionStackProps {
  /** The production stack's typed configuration. */
  readonly config: DeploymentConfig;
  /** Repository root on the synthesizing machine, for the image hash. */
  readonly contextDir: string;
  /** Synth-time warnings from loading the configuration. @default - none */
  readonly warnings?: readonly string[];
}

/**
 * The API on a remote Docker host, against an existing PostgreSQL server:
 * no database container; the same roles, image, migration and API.
 */
export class ProductionStack extends TerraformStack {
  public readonly application: SmartAccessApplication;

  constructor(scope: Construct, id: string, props: ProductionStackProps) {
    super(scope, id);

    const { config } = props;
    // Relative to cdktf.out/stacks/<stack>/, so the synthesized JSON holds
    // no path of the machine that made it.
    new LocalBackend(this, { path: `../../../terraform.${id}.tfstate` });
    for (const warning of props.warnings ?? []) {
      Annotations.of(this).addWarning(`[smart-access:config] ${warning}`);
    }

    // ssh:// uses the local ssh client and its keys; tcp:// with certPath
    // uses ca.pem, cert.pem and key.pem from it, as DOCKER_CERT_PATH does.
    new DockerProvider(this, "docker", {
      host: config.docker.host,
      certPath: config.docker.certPath ?? undefined,
    });

    const secrets = new DeploymentSecrets(this, "secrets", {
      names: [
        "postgresSuperuserPassword",
        "dbOwnerPassword",
        "dbRuntimePassword",
        "pinHashKey",
      ],
    });
    const adminUser = new TerraformVariable(this, "postgres_admin_username", {
      type: "string",
      sensitive: true,
      nullable: false,
      // No default: the admin's credentials stay out of the synthesized JSON.
      description:
        "Administrator the postgresql provider connects to the existing server as.",
    });

    const network = new Network(this, "network", {
      name: `${config.name}-net`,
      driver: "bridge",
    });

    const postgresql = new PostgresqlProvider(this, "postgresql", {
      host: config.database.host,
      port: config.database.port,
      username: adminUser.stringValue,
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
      databaseHost: config.database.host,
      databasePort: config.database.port,
      secrets,
    });

    addOutputs(this, config);
  }
}
