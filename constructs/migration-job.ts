import { Container } from "@cdktf/provider-docker/lib/container";
import { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { ApiEnvironmentProps, renderApiEnvironment } from "./api-environment";
import { hardenedContainerSettings } from "./hardening";

/** The message a failed migration stops the deploy with. */
export function migrationFailedMessage(containerName: string): string {
  return `The database migration failed: container ${containerName} exited non-zero, so the API was not started. Its output: docker logs ${containerName}`;
}

export interface MigrationJobProps {
  /** Deployment name; prefixes the container name. */
  readonly namePrefix: string;
  /** Image ID of the API image. */
  readonly image: string;
  /** Docker network the job joins. */
  readonly networkName: string;
  /** The API's environment with the owner role's credentials. */
  readonly environment: ApiEnvironmentProps;
  /** CPUs the job may use. */
  readonly cpus: string;
  /** Memory limit such as "256m". */
  readonly memory: string;
  /** json-file log size before rotation. @default "10m" */
  readonly logMaxSize?: string;
  /** Rotated log files kept. @default 3 */
  readonly logMaxFiles?: number;
  /** What must exist first: the database, its roles and grants. */
  readonly dependsOn: ITerraformDependable[];
}

/**
 * A one-shot container running `migrate` as the owner role. The provider
 * ignores a job's exit code, so a postcondition fails the deploy instead.
 */
export class MigrationJob extends Construct {
  public readonly container: Container;

  constructor(scope: Construct, id: string, props: MigrationJobProps) {
    super(scope, id);

    const env = renderApiEnvironment(props.environment);
    const name = `${props.namePrefix}-migrate`;

    this.container = new Container(this, "container", {
      name,
      image: props.image,
      command: ["migrate"],
      env,
      ...hardenedContainerSettings({
        cpus: props.cpus,
        memory: props.memory,
        logMaxSize: props.logMaxSize,
        logMaxFiles: props.logMaxFiles,
        user: "10001:10001",
        // A job that exits must stay exited: a restart would rerun it.
        restart: "no",
      }),
      networksAdvanced: [{ name: props.networkName }],
      attach: true,
      mustRun: false,
      logs: true,
      rm: false,
      dependsOn: props.dependsOn,
      lifecycle: {
        postcondition: [
          {
            condition: "${self.exit_code == 0}",
            errorMessage: migrationFailedMessage(name),
          },
        ],
      },
    });
  }
}
