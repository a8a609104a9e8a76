import * as fs from "fs";
import * as path from "path";
import { Inputs } from "../../rehearsal/plan";
import { HANDLERS } from "../../rehearsal/resources";
import { StackConfig, parseStack } from "../../rehearsal/stack";
import { StateFile, emptyState } from "../../rehearsal/state";

export const SECRET_ADMIN = "admin-secret-7f3a9c";
export const SECRET_DB = "db-secret-4b1e22";

export function fixture(
  edit: (json: Record<string, any>) => void = () => undefined,
): StackConfig {
  const file = path.join(__dirname, "fixtures", "app.tf.json");
  const json = JSON.parse(fs.readFileSync(file, "utf8"));
  edit(json);
  return parseStack(json, "/stack-dir");
}

export function inputs(
  stack: StackConfig,
  state: StateFile = emptyState(),
): Inputs {
  return {
    stack,
    state,
    handlers: HANDLERS,
    env: { TF_VAR_admin_password: SECRET_ADMIN, TF_VAR_db_password: SECRET_DB },
  };
}

/** What the engine records after applying every resource, without Docker. */
export async function fakeApply(stack: StackConfig): Promise<StateFile> {
  const { plan, Resolver } = await import("../../rehearsal/plan");
  const { storeAttributes } = await import("../../rehearsal/state");
  const first = await plan(inputs(stack));
  const state = emptyState();
  const resolver = new Resolver(inputs(stack, state));
  resolver.useState(state);
  for (const address of first.plan.order) {
    const config = stack.resources.find((r) => r.address === address)!;
    const { attrs, sensitive } = resolver.resolve(config);
    state.resources[address] = {
      type: config.type,
      provider: config.provider,
      dependencies: [...first.plan.graph.get(address)!],
      attributes: storeAttributes(address, attrs, sensitive),
      outputs: {
        id: `id-${address}`,
        image_id: `sha256:${address}`,
        exit_code: 0,
      },
    };
  }
  return state;
}
