import { TerraformOutput, TerraformStack } from "cdktf";
import { DeploymentConfig } from "../config/schema";

/** The outputs both stacks share; none of them is a secret. */
export function addOutputs(stack: TerraformStack, config: DeploymentConfig) {
  const url =
    config.api.publicUrl ??
    `http://${config.ports.publishAddress}:${config.ports.api}`;
  new TerraformOutput(stack, "api_url", {
    value: url,
    description: "Where the API answers.",
  });
  new TerraformOutput(stack, "database_name", {
    value: config.database.name,
  });
  new TerraformOutput(stack, "owner_role", {
    value: config.database.ownerRole,
    description: "Role that owns the schema; migrations run as it.",
  });
  new TerraformOutput(stack, "runtime_role", {
    value: config.database.runtimeRole,
    description: "Role the API connects as.",
  });
}
