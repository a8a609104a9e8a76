/**
 * docker_image (kreuzwerker/docker 3.6.2), built with the docker CLI from
 * Terraform's working directory, so `build.context` and a relative
 * `build.dockerfile` resolve exactly as the provider resolves them: the
 * provider hands both to the docker CLI's local-context helper, which makes
 * a relative Dockerfile path absolute against the process's working
 * directory (cdktf.out/stacks/<stack>/), not against the context.
 */
import { ApplyError } from "../errors";
import { isNotFound, objectExists } from "../docker";
import { block, bool, list, map, str } from "../schema";
import { ResourceHandler } from "./types";

interface Build {
  context: string;
  dockerfile?: string;
  build_args?: Record<string, string>;
  build_arg?: Record<string, string>;
  label?: Record<string, string>;
  labels?: Record<string, string>;
  target?: string;
  tag?: string[];
  no_cache?: boolean;
  remove?: boolean;
  force_remove?: boolean;
}

interface ImageInspect {
  Id: string;
  RepoDigests?: string[];
}

/** The docker CLI arguments for a build block (pure, so tests can pin it). */
export function buildArguments(name: string, build: Build): string[] {
  const args = ["build", "--tag", name];
  for (const t of build.tag ?? []) args.push("--tag", t);
  // The provider's default is "Dockerfile", resolved like any relative path.
  args.push("--file", build.dockerfile ?? "Dockerfile");
  const buildArgs = { ...build.build_arg, ...build.build_args };
  for (const [k, v] of Object.entries(buildArgs))
    args.push("--build-arg", `${k}=${v}`);
  const labels = { ...build.label, ...build.labels };
  for (const [k, v] of Object.entries(labels))
    args.push("--label", `${k}=${v}`);
  if (build.target) args.push("--target", build.target);
  if (build.no_cache) args.push("--no-cache");
  args.push(`--rm=${build.remove ?? true}`);
  if (build.force_remove) args.push("--force-rm");
  args.push(build.context);
  return args;
}

export const dockerImage: ResourceHandler = {
  type: "docker_image",
  schema: {
    name: str,
    keep_locally: bool,
    force_remove: bool,
    triggers: map,
    build: block({
      context: str,
      dockerfile: str,
      build_args: map,
      build_arg: map,
      label: map,
      labels: map,
      target: str,
      tag: list,
      no_cache: bool,
      remove: bool,
      force_remove: bool,
    }),
  },
  computed: ["id", "image_id", "repo_digest"],
  // The provider's update only re-reads the image for these two.
  inPlace: ["keep_locally", "force_remove"],

  async create(ctx, { address, attrs }) {
    const docker = ctx.docker();
    const name = String(attrs.name);
    const build = attrs.build as Build | undefined;

    if (build) {
      // 3.6.2 asks the engine for the classic builder (BuilderV1).
      const res = await docker.cli(buildArguments(name, build), {
        cwd: ctx.workDir,
        env: { DOCKER_BUILDKIT: "0" },
      });
      if (res.code !== 0) {
        const tail = res.combined.trimEnd().split("\n").slice(-30).join("\n");
        throw new ApplyError(
          address,
          `image build failed (docker build exit ${res.code}):\n${tail}`,
        );
      }
    }

    let image: ImageInspect;
    try {
      image = await docker.request<ImageInspect>(
        "GET",
        `/images/${encodeURIComponent(name)}/json`,
      );
    } catch (err) {
      if (!isNotFound(err)) throw err;
      // Known limit: no registry is reachable, so an image is never pulled.
      throw new ApplyError(
        address,
        `image ${name} is not on the engine and the rehearsal never pulls; build it first (scripts/images.sh) or add a build block`,
      );
    }
    return {
      id: `${image.Id}${name}`,
      image_id: image.Id,
      repo_digest: image.RepoDigests?.[0] ?? "",
    };
  },

  async update(_ctx, _desired, previous) {
    return previous.outputs;
  },

  async destroy(ctx, address, entry) {
    if (entry.attributes.keep_locally?.value === true) return;
    const name = String(entry.attributes.name?.value);
    const force = entry.attributes.force_remove?.value === true;
    try {
      await ctx
        .docker()
        .request(
          "DELETE",
          `/images/${encodeURIComponent(name)}?force=${force}`,
        );
    } catch (err) {
      if (isNotFound(err)) return;
      throw new ApplyError(
        address,
        `cannot remove image ${name}: ${(err as Error).message}`,
      );
    }
  },

  async exists(ctx, entry) {
    return objectExists(ctx.docker(), `/images/${entry.outputs.image_id}/json`);
  },
};
