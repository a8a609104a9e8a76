/**
 * Writes the stacks as HCL that plain Terraform or OpenTofu applies:
 * `cdktf synth --hcl`, then the repairs below, in each stack's cdk.tf.
 *
 *   npx tsx scripts/hcl.ts [--output DIR]   default DIR: cdktf.out
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

/**
 * cdktf 0.21 renders lifecycle conditions as a list attribute, which
 * Terraform rejects ("Did you mean to define a block"), and quotes
 * references in depends_on and provider, which it only warns about.
 */
export function repairHcl(source: string): string {
  const out: string[] = [];
  const lines = source.split("\n");
  let inDependsOn = false;

  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const condition = /^(\s*)(postcondition|precondition) = \[$/.exec(line);
    if (condition) {
      const [, indent, kind] = condition;
      // Each item of the list becomes one block of the same kind.
      for (i++; i < lines.length && lines[i].trim() !== "]"; i++) {
        const item = lines[i].trim();
        if (item === "{") out.push(`${indent}${kind} {`);
        else if (item === "}," || item === "}") out.push(`${indent}}`);
        else out.push(`${indent}  ${item}`);
      }
      continue;
    }

    if (/^\s*depends_on = \[$/.test(line)) inDependsOn = true;
    else if (inDependsOn && line.trim() === "]") inDependsOn = false;

    if (inDependsOn) {
      out.push(line.replace(/^(\s*)"([^"${}]+)",?$/, "$1$2,"));
    } else {
      out.push(line.replace(/^(\s*provider\s*=\s*)"([a-z0-9_.]+)"$/, "$1$2"));
    }
  }
  return out.join("\n");
}

function main(): void {
  const flag = process.argv.indexOf("--output");
  const outdir = flag > 0 ? process.argv[flag + 1] : "cdktf.out";
  const root = path.join(__dirname, "..");

  execFileSync("npx", ["cdktf", "synth", "--hcl", "--output", outdir], {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, CHECKPOINT_DISABLE: "1" },
  });

  const stacks = path.join(path.resolve(root, outdir), "stacks");
  for (const stack of fs.readdirSync(stacks)) {
    const file = path.join(stacks, stack, "cdk.tf");
    if (fs.existsSync(file)) {
      fs.writeFileSync(file, repairHcl(fs.readFileSync(file, "utf8")));
      process.stdout.write(`repaired ${path.relative(root, file)}\n`);
    }
  }
}

if (require.main === module) main();
