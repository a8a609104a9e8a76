/**
 * docker_volume (kreuzwerker/docker 3.6.2). Every argument forces a new
 * volume. Destroying it deletes the data, as the provider does.
 */
import { objectExists, removeIfPresent } from "../docker";
import { unsupportedValue } from "../errors";
import { blocks, map, str } from "../schema";
import { LABEL_SCHEMA, labelMap } from "./labels";
import { ResourceHandler } from "./types";

export const dockerVolume: ResourceHandler = {
  type: "docker_volume",
  schema: {
    name: str,
    driver: str,
    driver_opts: map,
    labels: blocks(LABEL_SCHEMA),
  },
  computed: ["id", "mountpoint"],

  validate(address, attrs) {
    const driver = attrs.driver;
    if (driver !== undefined && driver !== "local") {
      return [unsupportedValue(address, "driver", driver, '"local"')];
    }
    return [];
  },

  async create(ctx, { attrs }) {
    const res = await ctx.docker().request<{
      Name: string;
      Mountpoint: string;
    }>("POST", "/volumes/create", {
      Name: attrs.name,
      Driver: attrs.driver ?? "local",
      DriverOpts: attrs.driver_opts ?? {},
      Labels: labelMap(attrs.labels),
    });
    return { id: res.Name, mountpoint: res.Mountpoint };
  },

  async destroy(ctx, _address, entry) {
    await removeIfPresent(ctx.docker(), `/volumes/${entry.outputs.id}`);
  },

  async exists(ctx, entry) {
    return objectExists(ctx.docker(), `/volumes/${entry.outputs.id}`);
  },
};
