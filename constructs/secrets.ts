import { TerraformVariable } from "cdktf";
import { Construct } from "constructs";

/** The sensitive variables a stack may declare; values come from TF_VAR_*. */
export const SECRET_VARIABLES = {
  postgresSuperuserPassword: "postgres_superuser_password",
  dbOwnerPassword: "db_owner_password",
  dbRuntimePassword: "db_runtime_password",
  pinHashKey: "pin_hash_key",
  bootstrapAdminToken: "bootstrap_admin_token",
} as const;

export type SecretName = keyof typeof SECRET_VARIABLES;

const DESCRIPTIONS: Record<SecretName, string> = {
  postgresSuperuserPassword:
    "Password of the PostgreSQL administrator the postgresql provider connects as.",
  dbOwnerPassword:
    "Password of the role that owns the schema and runs migrations.",
  dbRuntimePassword: "Password of the role the API connects as.",
  pinHashKey: "Server-side key of the keyed PIN hash; at least 32 characters.",
  bootstrapAdminToken:
    "First admin token, created at migrate time (local only).",
};

export interface DeploymentSecretsProps {
  /** Which secrets this stack declares. */
  readonly names: readonly SecretName[];
}

/**
 * Sensitive Terraform variables without defaults: secrets reach the
 * synthesized JSON only as references, never as literals.
 */
export class DeploymentSecrets extends Construct {
  private readonly variables = new Map<SecretName, TerraformVariable>();

  constructor(scope: Construct, id: string, props: DeploymentSecretsProps) {
    super(scope, id);

    for (const name of props.names) {
      const variable = new TerraformVariable(scope, SECRET_VARIABLES[name], {
        type: "string",
        sensitive: true,
        nullable: false,
        description: DESCRIPTIONS[name],
      });
      variable.overrideLogicalId(SECRET_VARIABLES[name]);
      this.variables.set(name, variable);
    }
  }

  /** The variable's value as a token; throws for a secret not declared. */
  public value(name: SecretName): string {
    const variable = this.variables.get(name);
    if (!variable) {
      throw new Error(
        `The secret ${SECRET_VARIABLES[name]} is not declared in this stack.`,
      );
    }
    return variable.stringValue;
  }
}
