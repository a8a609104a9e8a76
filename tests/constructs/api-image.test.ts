import * as fs from "fs";
import * as path from "path";
import { Image } from "@cdktf/provider-docker/lib/image";
import { App, TerraformStack, Testing } from "cdktf";
import {
  ApiImage,
  buildContextFiles,
  buildContextHash,
  STACK_DIR_TO_REPOSITORY,
} from "../../constructs/api-image";
import { makeContext, MINIMAL_CONTEXT, REPOSITORY } from "../stacks/support";

function warningsOf(construct: ApiImage): string[] {
  return construct.node.metadata
    .filter((entry) => entry.type === "@cdktf/warn")
    .map((entry) => String(entry.data));
}

function synthImage(contextDir: string) {
  let hash = "";
  const text = Testing.synthScope((scope) => {
    hash = new ApiImage(scope, "image", {
      imageName: "sa-api:test",
      baseImage: "python:3.12-slim-bookworm",
      contextDir,
    }).contextHash;
  });
  const json = JSON.parse(text);
  const body = Object.values<any>(json.resource.docker_image)[0];
  return { text, body, hash };
}

describe("ApiImage", () => {
  test("builds from the repository as Terraform sees it from cdktf.out/stacks/<stack>/", () => {
    const { text } = synthImage(makeContext(MINIMAL_CONTEXT));

    expect(text).toHaveResourceWithProperties(Image, {
      name: "sa-api:test",
      keep_locally: false,
      build: {
        context: "../../..",
        dockerfile: "../../../Dockerfile",
        build_args: { BASE_IMAGE: "python:3.12-slim-bookworm" },
      },
    });
  });

  test("kreuzwerker 3.6.2 semantics: context and dockerfile resolve to the repository from the stack directory", () => {
    const { body } = synthImage(makeContext(MINIMAL_CONTEXT));
    const stackDir = path.join(REPOSITORY, "cdktf.out", "stacks", "local");

    // The legacy builder passes both through filepath.Abs in Terraform's
    // working directory; a relative dockerfile is not taken from context.
    expect(path.resolve(stackDir, body.build.context)).toBe(REPOSITORY);
    expect(path.resolve(stackDir, body.build.dockerfile)).toBe(
      path.join(REPOSITORY, "Dockerfile"),
    );
    expect(STACK_DIR_TO_REPOSITORY).toBe("../../..");
  });

  test("writes no absolute path of the synthesizing machine", () => {
    const dir = makeContext(MINIMAL_CONTEXT);

    const { text } = synthImage(dir);

    expect(text).not.toContain(dir);
    expect(text).not.toContain(REPOSITORY);
  });

  test("the trigger is a SHA-256 of the build context", () => {
    const { body, hash } = synthImage(makeContext(MINIMAL_CONTEXT));

    expect(body.triggers).toEqual({ context_sha256: hash });
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
  });

  test("the same files give the same hash in any directory", () => {
    const a = synthImage(makeContext(MINIMAL_CONTEXT)).hash;
    const b = synthImage(makeContext(MINIMAL_CONTEXT)).hash;

    expect(a).toBe(b);
  });

  test.each([
    ["a source file", "app/__init__.py"],
    ["the Dockerfile", "Dockerfile"],
    ["the entrypoint", "entrypoint.sh"],
  ])("a change to %s changes the hash", (_what, file) => {
    const files = { ...MINIMAL_CONTEXT, "entrypoint.sh": "#!/bin/sh\n" };
    const ignoreAdmitting = files[".dockerignore"] + "!entrypoint.sh\n";
    const before = makeContext({ ...files, ".dockerignore": ignoreAdmitting });
    const after = makeContext({
      ...files,
      ".dockerignore": ignoreAdmitting,
      [file]: ((files as Record<string, string>)[file] ?? "") + "# changed\n",
    });

    expect(synthImage(after).hash).not.toBe(synthImage(before).hash);
  });

  test("a change to a file .dockerignore excludes leaves the hash alone", () => {
    const before = makeContext({ ...MINIMAL_CONTEXT, "README.md": "one" });
    const after = makeContext({ ...MINIMAL_CONTEXT, "README.md": "two" });

    expect(synthImage(after).hash).toBe(synthImage(before).hash);
  });

  test("a file's executable bit is part of the hash", () => {
    const before = makeContext(MINIMAL_CONTEXT);
    const after = makeContext(MINIMAL_CONTEXT);
    fs.chmodSync(path.join(after, "app", "__init__.py"), 0o755);

    expect(synthImage(after).hash).not.toBe(synthImage(before).hash);
  });

  test("honours negated patterns under an ignored directory", () => {
    const dir = makeContext({
      ".dockerignore": "docs\n!docs/keep.md\n",
      Dockerfile: "FROM x\n",
      "docs/keep.md": "k",
      "docs/drop.md": "d",
    });

    expect(buildContextFiles(dir).files).toEqual([
      ".dockerignore",
      "Dockerfile",
      "docs/keep.md",
    ]);
  });

  test("the Dockerfile and .dockerignore always count, as Docker always sends them", () => {
    const dir = makeContext({
      ".dockerignore": "*\n",
      Dockerfile: "FROM x\n",
      "app.py": "",
    });

    expect(buildContextFiles(dir).files).toEqual([
      ".dockerignore",
      "Dockerfile",
    ]);
  });

  test("generated directories never count, whatever .dockerignore says", () => {
    const dir = makeContext({
      ".dockerignore": "\n",
      Dockerfile: "FROM x\n",
      "cdktf.out/stacks/local/cdk.tf.json": "{}",
      "node_modules/x/index.js": "",
      ".smart-access/local/secrets.json": "{}",
    });

    expect(buildContextFiles(dir).files).toEqual([
      ".dockerignore",
      "Dockerfile",
    ]);
  });

  test("without .dockerignore, synth warns and hashes all but the fallback excludes", () => {
    const dir = makeContext({ Dockerfile: "FROM x\n", ".venv/bin/python": "" });
    const stack = new TerraformStack(new App(), "test");

    const image = new ApiImage(stack, "image", {
      imageName: "sa-api:test",
      baseImage: "base",
      contextDir: dir,
    });

    expect(buildContextFiles(dir)).toEqual({
      files: ["Dockerfile"],
      usedFallback: true,
    });
    expect(image.contextHash).toBe(buildContextHash(dir, ["Dockerfile"]));
    expect(warningsOf(image)).toEqual([
      expect.stringContaining("[smart-access:no-dockerignore]"),
    ]);
  });

  test("without a Dockerfile, synth warns that the deploy will fail", () => {
    const dir = makeContext({ ".dockerignore": "*\n" });
    const stack = new TerraformStack(new App(), "test");

    const image = new ApiImage(stack, "image", {
      imageName: "sa-api:test",
      baseImage: "base",
      contextDir: dir,
    });

    expect(warningsOf(image)).toEqual([
      expect.stringContaining("[smart-access:no-dockerfile]"),
    ]);
  });

  test("a missing build context fails synth naming it", () => {
    expect(() =>
      synthImage("/nonexistent/context"),
    ).toThrowErrorMatchingInlineSnapshot(
      `"The API image's build context '/nonexistent/context' does not exist or is not a directory. Pass the repository root as contextDir."`,
    );
  });
});
