import { execFile, execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import { REPOSITORY } from "./support";

const run = promisify(execFile);

/** The environment CI synthesizes in: no overrides, no checkpoint calls. */
function ciEnvironment(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, CHECKPOINT_DISABLE: "1" };
  for (const name of Object.keys(env)) {
    if (name.startsWith("SMART_ACCESS_")) delete env[name];
  }
  return env;
}

function synth(outdir: string) {
  return run("npx", ["cdktf", "synth", "--output", outdir], {
    cwd: REPOSITORY,
    env: ciEnvironment(),
    timeout: 150_000,
  });
}

/** `cdktf synth --hcl` and its repairs, as docs/deployment.md says to run it. */
function synthHcl(outdir: string) {
  return run("npx", ["tsx", "scripts/hcl.ts", "--output", outdir], {
    cwd: REPOSITORY,
    env: ciEnvironment(),
    timeout: 150_000,
  });
}

function terraformBinary(): string {
  const name = process.env.TERRAFORM_BINARY_NAME ?? "terraform";
  try {
    execFileSync(name, ["version"], { stdio: "ignore" });
  } catch {
    throw new Error(
      `The HCL test needs ${name} (Terraform or OpenTofu) on PATH to parse the HCL; it was not found.`,
    );
  }
  return name;
}

describe("cdktf synth, as CI runs it", () => {
  const json = fs.mkdtempSync(path.join(os.tmpdir(), "smart-access-synth-"));
  const hcl = fs.mkdtempSync(path.join(os.tmpdir(), "smart-access-hcl-"));
  let results: PromiseSettledResult<unknown>[] = [];

  beforeAll(async () => {
    // Both synths at once: each takes seconds, mostly starting Node.
    results = await Promise.allSettled([synth(json), synthHcl(hcl)]);
  }, 180_000);

  afterAll(() => {
    fs.rmSync(json, { recursive: true, force: true });
    fs.rmSync(hcl, { recursive: true, force: true });
  });

  test("writes both stacks", () => {
    expect(results[0].status).toBe("fulfilled");
    for (const stack of ["local", "production"]) {
      const file = path.join(json, "stacks", stack, "cdk.tf.json");
      expect(JSON.parse(fs.readFileSync(file, "utf8")).resource).toBeDefined();
    }
  });

  test("--hcl, repaired, writes HCL that Terraform parses", () => {
    expect(results[1].status).toBe("fulfilled");
    const terraform = terraformBinary();

    for (const stack of ["local", "production"]) {
      const source = fs.readFileSync(
        path.join(hcl, "stacks", stack, "cdk.tf"),
        "utf8",
      );
      // fmt parses without providers; a syntax error exits non-zero.
      const formatted = execFileSync(terraform, ["fmt", "-"], {
        input: source,
        env: ciEnvironment(),
      }).toString();
      expect(formatted).toContain('resource "docker_container"');
      expect(formatted).toContain("postcondition {");
      expect(formatted).not.toMatch(/postcondition = \[/);
      expect(formatted).not.toMatch(/^\s*"[a-z_]+\.[A-Za-z0-9_-]+",$/m);
      expect(formatted).not.toContain(REPOSITORY);
    }
  });
});
