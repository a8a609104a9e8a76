import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import ignore from "@balena/dockerignore";
import { Image } from "@cdktf/provider-docker/lib/image";
import { Annotations } from "cdktf";
import { Construct } from "constructs";
import { missingBuildContext } from "../config/errors";

/**
 * Where Terraform runs under cdktf: cdktf.out/stacks/<stack>/. kreuzwerker
 * 3.6.2's legacy builder resolves `context` and a relative `dockerfile`
 * against that working directory, so both climb back to the repository.
 */
export const STACK_DIR_TO_REPOSITORY = "../../..";

/**
 * Top-level directories left out of the hash even if .dockerignore admits
 * them: synth and deploy write into them, which would change the hash.
 */
export const NEVER_HASHED = [
  ".git",
  "node_modules",
  "cdktf.out",
  ".smart-access",
];

/** Patterns used when the repository has no .dockerignore yet. */
export const FALLBACK_IGNORES = [...NEVER_HASHED, ".venv", "**/__pycache__"];

export interface ApiImageProps {
  /** Image name including the tag, such as "smart-access-api:latest". */
  readonly imageName: string;
  /** Image passed to the Dockerfile as the build arg BASE_IMAGE. */
  readonly baseImage: string;
  /**
   * Absolute path of the build context on the synthesizing machine; read
   * for the content hash only, never written to the synthesized JSON.
   */
  readonly contextDir: string;
  /**
   * The context as Terraform sees it from cdktf.out/stacks/<stack>/.
   * @default STACK_DIR_TO_REPOSITORY
   */
  readonly terraformContext?: string;
  /** Dockerfile path relative to contextDir. @default "Dockerfile" */
  readonly dockerfile?: string;
}

/** Files of dir that .dockerignore admits to the build, sorted, with "/" separators. */
export function buildContextFiles(dir: string): {
  files: string[];
  usedFallback: boolean;
} {
  const ignoreFile = path.join(dir, ".dockerignore");
  const usedFallback = !fs.existsSync(ignoreFile);
  const patterns = usedFallback
    ? FALLBACK_IGNORES
    : fs.readFileSync(ignoreFile, "utf8").split(/\r?\n/);
  const matcher = ignore().add(patterns);
  const reincluded = patterns
    .map((p) => p.trim())
    .filter((p) => p.startsWith("!"))
    .map((p) => p.slice(1).replace(/^\/+/, "").replace(/\/+$/, ""));
  // An ignored directory is skipped unless a negated pattern could
  // re-admit something beneath it.
  const mayHoldReincluded = (directory: string) =>
    reincluded.some((p) => /^[*?[]/.test(p) || p.startsWith(`${directory}/`));

  const files: string[] = [];
  const walk = (relative: string) => {
    const absolute = path.join(dir, relative);
    for (const entry of fs.readdirSync(absolute, { withFileTypes: true })) {
      const child = relative ? `${relative}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        if (NEVER_HASHED.includes(child)) continue;
        if (matcher.ignores(child) && !mayHoldReincluded(child)) continue;
        walk(child);
      } else if (entry.isFile() || entry.isSymbolicLink()) {
        if (!matcher.ignores(child)) files.push(child);
      }
    }
  };
  walk("");

  // Docker always sends the Dockerfile and .dockerignore, whatever they say.
  for (const always of ["Dockerfile", ".dockerignore"]) {
    if (fs.existsSync(path.join(dir, always)) && !files.includes(always)) {
      files.push(always);
    }
  }
  return { files: files.sort(), usedFallback };
}

/**
 * SHA-256 over the admitted files' paths, executable bits and contents:
 * it depends on file contents only, so it is the same on every machine.
 */
export function buildContextHash(
  dir: string,
  files: readonly string[],
): string {
  const hash = createHash("sha256");
  for (const file of files) {
    const absolute = path.join(dir, file);
    const stat = fs.statSync(absolute);
    const executable = (stat.mode & 0o111) !== 0 ? "x" : "-";
    hash.update(`${file}\0${executable}\0${stat.size}\0`);
    hash.update(fs.readFileSync(absolute));
  }
  return hash.digest("hex");
}

/** The API image, built from this repository, rebuilt only when its inputs change. */
export class ApiImage extends Construct {
  public readonly image: Image;
  /** Content hash of the build context, the rebuild trigger. */
  public readonly contextHash: string;

  constructor(scope: Construct, id: string, props: ApiImageProps) {
    super(scope, id);

    if (
      !fs.existsSync(props.contextDir) ||
      !fs.statSync(props.contextDir).isDirectory()
    ) {
      throw missingBuildContext(props.contextDir);
    }
    const dockerfile = props.dockerfile ?? "Dockerfile";
    const { files, usedFallback } = buildContextFiles(props.contextDir);
    if (usedFallback) {
      Annotations.of(this).addWarning(
        "[smart-access:no-dockerignore] The build context has no .dockerignore; the image trigger hashes every file except " +
          FALLBACK_IGNORES.join(", ") +
          ".",
      );
    }
    if (!fs.existsSync(path.join(props.contextDir, dockerfile))) {
      Annotations.of(this).addWarning(
        `[smart-access:no-dockerfile] The build context has no ${dockerfile}; deploying will fail until it exists.`,
      );
    }
    this.contextHash = buildContextHash(props.contextDir, files);

    const context = props.terraformContext ?? STACK_DIR_TO_REPOSITORY;
    this.image = new Image(this, "image", {
      name: props.imageName,
      keepLocally: false,
      buildAttribute: {
        context,
        // Resolved against Terraform's working directory, like context.
        dockerfile: path.posix.join(context, dockerfile),
        buildArgs: { BASE_IMAGE: props.baseImage },
      },
      triggers: { context_sha256: this.contextHash },
    });
  }
}
