import { ITerraformDependable, TerraformProvider } from "cdktf";
import { Construct } from "constructs";
import { DeploymentConfig } from "../config/schema";
import { ApiEnvironmentProps } from "./api-environment";
import { ApiImage } from "./api-image";
import { ApiService } from "./api-service";
import { DatabaseRoles } from "./database-roles";
import { MigrationJob } from "./migration-job";
import { DeploymentSecrets } from "./secrets";

export interface SmartAccessApplicationProps {
  /** The stack's typed configuration. */
  readonly config: DeploymentConfig;
  /** Repository root on the synthesizing machine, for the image hash. */
  readonly contextDir: string;
  /** postgresql provider connected as the administrator. */
  readonly postgresqlProvider: TerraformProvider;
  /** Docker network the migration job and the API join. */
  readonly networkName: string;
  /** PostgreSQL host as the containers reach it. */
  readonly databaseHost: string;
  /** PostgreSQL port as the containers reach it. */
  readonly databasePort: number;
  /** The stack's sensitive variables. */
  readonly secrets: DeploymentSecrets;
  /** Pass BOOTSTRAP_ADMIN_TOKEN to the migration job. @default false */
  readonly bootstrapAdminToken?: boolean;
  /** What every postgresql_* resource waits for. @default - nothing */
  readonly databaseReady?: ITerraformDependable[];
}

/**
 * The API's half of a deployment, the same in every stack: image,
 * database and roles, migration job, then the API once migrated.
 */
export class SmartAccessApplication extends Construct {
  public readonly image: ApiImage;
  public readonly database: DatabaseRoles;
  public readonly migration: MigrationJob;
  public readonly api: ApiService;

  constructor(
    scope: Construct,
    id: string,
    props: SmartAccessApplicationProps,
  ) {
    super(scope, id);

    const { config, secrets } = props;

    this.image = new ApiImage(this, "image", {
      imageName: `${config.name}-api:${config.images.apiTag}`,
      baseImage: config.images.apiBase,
      contextDir: props.contextDir,
    });

    this.database = new DatabaseRoles(this, "database", {
      provider: props.postgresqlProvider,
      databaseName: config.database.name,
      ownerRole: config.database.ownerRole,
      ownerPassword: secrets.value("dbOwnerPassword"),
      runtimeRole: config.database.runtimeRole,
      runtimePassword: secrets.value("dbRuntimePassword"),
      connectionLimit: config.database.connectionLimit,
      dependsOn: props.databaseReady,
    });

    const environment = (
      user: string,
      password: string,
    ): ApiEnvironmentProps => ({
      appEnv: config.api.appEnv,
      apiHost: config.api.host,
      apiPort: config.api.port,
      bind: config.api.bind ?? undefined,
      webConcurrency: config.api.webConcurrency ?? undefined,
      workersPerCore: config.api.workersPerCore,
      maxWorkers: config.api.maxWorkers ?? undefined,
      threads: config.api.threads,
      timeout: config.api.timeout,
      gracefulTimeout: config.api.gracefulTimeout,
      keepAlive: config.api.keepAlive,
      logLevel: config.api.logLevel,
      dbHost: props.databaseHost,
      dbPort: props.databasePort,
      dbName: config.database.name,
      dbUser: user,
      dbPassword: password,
      dbSslmode: config.api.dbSslmode,
      pinHashKey: secrets.value("pinHashKey"),
      maxRequestBytes: config.api.maxRequestBytes,
    });
    const logs = {
      logMaxSize: config.logs.maxSize,
      logMaxFiles: config.logs.maxFiles,
    };

    this.migration = new MigrationJob(this, "migration", {
      namePrefix: config.name,
      image: this.image.image.imageId,
      networkName: props.networkName,
      environment: {
        ...environment(
          config.database.ownerRole,
          secrets.value("dbOwnerPassword"),
        ),
        bootstrapAdminToken: props.bootstrapAdminToken
          ? secrets.value("bootstrapAdminToken")
          : undefined,
      },
      cpus: config.limits.migration.cpus,
      memory: config.limits.migration.memory,
      ...logs,
      dependsOn: this.database.all,
    });

    this.api = new ApiService(this, "api", {
      namePrefix: config.name,
      image: this.image.image.imageId,
      networkName: props.networkName,
      environment: environment(
        config.database.runtimeRole,
        secrets.value("dbRuntimePassword"),
      ),
      hostPort: config.ports.api,
      publishAddress: config.ports.publishAddress,
      cpus: config.limits.api.cpus,
      memory: config.limits.api.memory,
      waitTimeoutSeconds: config.waitTimeouts.api,
      stopGraceMarginSeconds: config.stop.apiGraceMarginSeconds,
      ...logs,
      dependsOn: [this.migration.container],
    });
  }
}
