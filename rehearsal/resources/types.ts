/**
 * What each resource executor provides: the attributes it honours (anything
 * else is refused before apply), how a change is applied, and the create /
 * update / destroy steps against the real engine or database.
 */
import { Problem } from "../errors";
import { DockerClient } from "../docker";
import { SqlSession } from "../postgres";
import { Schema } from "../schema";
import { ResourceState } from "../state";

export interface ApplyContext {
  /** The Docker engine named by the stack's docker provider. */
  docker(): DockerClient;
  /** A session as the postgresql provider `provider` would open it. */
  postgres(provider: string, database?: string): Promise<SqlSession>;
  /** Terraform's working directory for the stack. */
  readonly workDir: string;
  /** One progress line; never given a secret. */
  log(line: string): void;
}

export interface Desired {
  readonly address: string;
  readonly provider: string;
  /** Resolved, schema-checked attributes (no unknowns left at apply time). */
  readonly attrs: Readonly<Record<string, unknown>>;
}

export type Outputs = Record<string, unknown>;

export interface ResourceHandler {
  readonly type: string;
  readonly schema: Schema;
  /** Attributes the provider computes; references to them wait for apply. */
  readonly computed: readonly string[];
  /** Attributes the provider's schema marks sensitive. */
  readonly sensitive?: readonly string[];
  /**
   * Attributes whose change the real provider applies in place; a change to
   * any other attribute replaces the resource.
   */
  readonly inPlace?: readonly string[];
  /** Checks on resolved values beyond the schema (values it cannot honour). */
  validate?(address: string, attrs: Record<string, unknown>): Problem[];
  create(ctx: ApplyContext, desired: Desired): Promise<Outputs>;
  update?(
    ctx: ApplyContext,
    desired: Desired,
    previous: ResourceState,
    changed: readonly string[],
  ): Promise<Outputs>;
  destroy(
    ctx: ApplyContext,
    address: string,
    entry: ResourceState,
  ): Promise<void>;
  /** Refresh: false when the object was removed outside the rehearsal. */
  exists?(ctx: ApplyContext, entry: ResourceState): Promise<boolean>;
}
