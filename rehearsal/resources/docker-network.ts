/**
 * docker_network (kreuzwerker/docker 3.6.2). Every argument forces a new
 * network, as in the provider; the id is the engine's network id.
 */
import { objectExists, removeIfPresent } from "../docker";
import { unsupportedValue } from "../errors";
import { blocks, bool, map, str } from "../schema";
import { LABEL_SCHEMA, labelMap } from "./labels";
import { ResourceHandler } from "./types";

export const dockerNetwork: ResourceHandler = {
  type: "docker_network",
  schema: {
    name: str,
    driver: str,
    internal: bool,
    attachable: bool,
    check_duplicate: bool,
    options: map,
    labels: blocks(LABEL_SCHEMA),
  },
  computed: ["id", "scope"],

  validate(address, attrs) {
    const driver = attrs.driver;
    if (driver !== undefined && driver !== "bridge") {
      return [
        unsupportedValue(
          address,
          "driver",
          driver,
          '"bridge" (the local engine has no swarm)',
        ),
      ];
    }
    return [];
  },

  async create(ctx, { attrs }) {
    const res = await ctx
      .docker()
      .request<{ Id: string }>("POST", "/networks/create", {
        Name: attrs.name,
        Driver: attrs.driver ?? "bridge",
        Internal: attrs.internal ?? false,
        Attachable: attrs.attachable ?? false,
        CheckDuplicate: attrs.check_duplicate ?? true,
        Options: attrs.options ?? {},
        Labels: labelMap(attrs.labels),
      });
    return { id: res.Id, scope: "local" };
  },

  async destroy(ctx, _address, entry) {
    await removeIfPresent(ctx.docker(), `/networks/${entry.outputs.id}`);
  },

  async exists(ctx, entry) {
    return objectExists(ctx.docker(), `/networks/${entry.outputs.id}`);
  },
};
