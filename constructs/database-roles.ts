import { Database } from "@cdktf/provider-postgresql/lib/database";
import { DefaultPrivileges } from "@cdktf/provider-postgresql/lib/default-privileges";
import { Grant } from "@cdktf/provider-postgresql/lib/grant";
import { Role } from "@cdktf/provider-postgresql/lib/role";
import { Schema } from "@cdktf/provider-postgresql/lib/schema";
import { ITerraformDependable, TerraformProvider } from "cdktf";
import { Construct } from "constructs";
import { ConfigError } from "../config/errors";
import { checkProp } from "../config/validate";

/** What the runtime role may do to rows; nothing to the schema. */
export const RUNTIME_TABLE_PRIVILEGES = [
  "SELECT",
  "INSERT",
  "UPDATE",
  "DELETE",
];
export const RUNTIME_SEQUENCE_PRIVILEGES = ["USAGE", "SELECT"];

export interface DatabaseRolesProps {
  /** The postgresql provider connected as an administrator. */
  readonly provider: TerraformProvider;
  /** Database to create, owned by the owner role. */
  readonly databaseName: string;
  /** Role that owns the database and schema; migrations run as it. */
  readonly ownerRole: string;
  /** Owner role's password: a token of a sensitive variable. */
  readonly ownerPassword: string;
  /** Role the API connects as. */
  readonly runtimeRole: string;
  /** Runtime role's password: a token of a sensitive variable. */
  readonly runtimePassword: string;
  /** Schema the API's tables live in. @default "public" */
  readonly schema?: string;
  /** Most concurrent connections per role. @default 50 */
  readonly connectionLimit?: number;
  /**
   * Resources every postgresql_* resource waits for, such as the database
   * container: the provider pings once, with no retry, on first use.
   * @default - none, for a server that already runs
   */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * The API's database and its two roles: an owner that owns the schema and
 * runs migrations, and a runtime role that reads and writes rows only,
 * including in tables the owner's migrations create later.
 */
export class DatabaseRoles extends Construct {
  public readonly owner: Role;
  public readonly runtime: Role;
  public readonly database: Database;
  public readonly schema: Schema;
  /** Every resource here, for things that must wait for the whole set. */
  public readonly all: ITerraformDependable[];

  constructor(scope: Construct, id: string, props: DatabaseRolesProps) {
    super(scope, id);

    const problems: string[] = [];
    for (const [setting, value] of [
      ["databaseName", props.databaseName],
      ["ownerRole", props.ownerRole],
      ["runtimeRole", props.runtimeRole],
      ["schema", props.schema],
    ]) {
      checkProp(problems, setting!, { type: "sqlName" }, value);
    }
    checkProp(
      problems,
      "connectionLimit",
      { type: "integer", min: 1 },
      props.connectionLimit,
    );
    if (problems.length > 0) throw new ConfigError(problems, "database roles");

    const common = { provider: props.provider, dependsOn: props.dependsOn };
    const schemaName = props.schema ?? "public";
    const connectionLimit = props.connectionLimit ?? 50;

    this.owner = new Role(this, "owner", {
      ...common,
      name: props.ownerRole,
      login: true,
      password: props.ownerPassword,
      superuser: false,
      createDatabase: false,
      createRole: false,
      inherit: false,
      connectionLimit,
    });

    this.runtime = new Role(this, "runtime", {
      ...common,
      name: props.runtimeRole,
      login: true,
      password: props.runtimePassword,
      superuser: false,
      createDatabase: false,
      createRole: false,
      inherit: false,
      connectionLimit,
    });

    this.database = new Database(this, "database", {
      ...common,
      name: props.databaseName,
      owner: this.owner.name,
      template: "template0",
      encoding: "UTF8",
      lcCollate: "C",
      lcCtype: "C",
    });

    this.schema = new Schema(this, "schema", {
      ...common,
      name: schemaName,
      database: this.database.name,
      owner: this.owner.name,
      ifNotExists: true,
      // Holds the migrations' tables, so RESTRICT would block every destroy.
      // The schema goes only with its database, which is dropped next.
      dropCascade: true,
    });

    const grant = (
      grantId: string,
      config: {
        role: string;
        objectType: string;
        privileges: string[];
        schema?: string;
      },
    ) =>
      new Grant(this, grantId, {
        ...common,
        database: this.database.name,
        ...config,
      });

    // PUBLIC keeps nothing: no CONNECT or TEMP on the database, no USAGE
    // or CREATE on the schema. Each role gets only what it needs below.
    const revokeDatabase = grant("public-database", {
      role: "public",
      objectType: "database",
      privileges: [],
    });
    const revokeSchema = grant("public-schema", {
      role: "public",
      objectType: "schema",
      schema: this.schema.name,
      privileges: [],
    });
    const connect = grant("runtime-connect", {
      role: this.runtime.name,
      objectType: "database",
      privileges: ["CONNECT"],
    });
    const usage = grant("runtime-usage", {
      role: this.runtime.name,
      objectType: "schema",
      schema: this.schema.name,
      privileges: ["USAGE"],
    });
    // Grants on tables cover only tables that exist now; the default
    // privileges below cover those the owner's migrations create later.
    const tables = grant("runtime-tables", {
      role: this.runtime.name,
      objectType: "table",
      schema: this.schema.name,
      privileges: RUNTIME_TABLE_PRIVILEGES,
    });
    const sequences = grant("runtime-sequences", {
      role: this.runtime.name,
      objectType: "sequence",
      schema: this.schema.name,
      privileges: RUNTIME_SEQUENCE_PRIVILEGES,
    });

    const defaults = (
      defaultsId: string,
      objectType: string,
      privileges: string[],
    ) =>
      new DefaultPrivileges(this, defaultsId, {
        ...common,
        database: this.database.name,
        schema: this.schema.name,
        owner: this.owner.name,
        role: this.runtime.name,
        objectType,
        privileges,
      });
    const defaultTables = defaults(
      "runtime-default-tables",
      "table",
      RUNTIME_TABLE_PRIVILEGES,
    );
    const defaultSequences = defaults(
      "runtime-default-sequences",
      "sequence",
      RUNTIME_SEQUENCE_PRIVILEGES,
    );

    this.all = [
      this.owner,
      this.runtime,
      this.database,
      this.schema,
      revokeDatabase,
      revokeSchema,
      connect,
      usage,
      tables,
      sequences,
      defaultTables,
      defaultSequences,
    ];
  }
}
