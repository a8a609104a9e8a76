import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { repairHcl } from "../../scripts/hcl";

// What cdktf 0.21 renders for a resource with depends_on, a provider and a
// postcondition, on Terraform's built-in terraform_data (no download).
const CDKTF_STYLE = `resource "terraform_data" "first" {
  provider = "terraform"
}
resource "terraform_data" "second" {
  input = "\${terraform_data.first.id}"
  depends_on = [
    "terraform_data.first",
  ]
  provider = "terraform"
  lifecycle {
    postcondition = [
      {
        condition     = "\${self.id != ""}"
        error_message = "The first check failed."
      },
      {
        condition     = "\${self.input != ""}"
        error_message = "The second check failed."
      },
    ]
  }
}
`;

function terraform(): string {
  const name = process.env.TERRAFORM_BINARY_NAME ?? "terraform";
  try {
    execFileSync(name, ["version"], { stdio: "ignore" });
  } catch {
    throw new Error(
      `These tests need ${name} (Terraform or OpenTofu) on PATH; it was not found.`,
    );
  }
  return name;
}

/** `terraform validate` of one file: whether it passed, and what it said. */
function validate(source: string): { ok: boolean; output: string } {
  const binary = terraform();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "smart-access-validate-"));
  const env = { ...process.env, CHECKPOINT_DISABLE: "1" };
  try {
    fs.writeFileSync(path.join(dir, "main.tf"), source);
    // init already parses the configuration: a syntax error ends there.
    let output = "";
    for (const args of [
      ["init", "-input=false", "-backend=false", "-no-color"],
      ["validate", "-no-color"],
    ]) {
      const result = spawnSync(binary, args, { cwd: dir, env });
      output += `${result.stdout}${result.stderr}`;
      if (result.status !== 0) return { ok: false, output };
    }
    return { ok: true, output };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe("repairHcl", () => {
  test("cdktf's own rendering of a postcondition does not validate", () => {
    const { ok, output } = validate(CDKTF_STYLE);

    expect(ok).toBe(false);
    expect(output).toContain(
      'An argument named "postcondition" is not expected here',
    );
  });

  test("the repaired rendering validates, with no deprecation warning", () => {
    const { ok, output } = validate(repairHcl(CDKTF_STYLE));

    expect(ok).toBe(true);
    expect(output).toContain("Success! The configuration is valid.");
    expect(output).not.toContain("Quoted references are deprecated");
  });

  test("turns each list item into a block and unquotes references", () => {
    expect(repairHcl(CDKTF_STYLE)).toMatchInlineSnapshot(`
"resource "terraform_data" "first" {
  provider = terraform
}
resource "terraform_data" "second" {
  input = "\${terraform_data.first.id}"
  depends_on = [
    terraform_data.first,
  ]
  provider = terraform
  lifecycle {
    postcondition {
      condition     = "\${self.id != ""}"
      error_message = "The first check failed."
    }
    postcondition {
      condition     = "\${self.input != ""}"
      error_message = "The second check failed."
    }
  }
}
"
`);
  });

  test("leaves quoted strings that are not references alone", () => {
    const source = `  depends_on = [\n    "\${var.x}",\n  ]\n  name = "postgresql"`;

    expect(repairHcl(source)).toBe(source);
  });
});
