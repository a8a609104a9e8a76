import { spawnSync } from "child_process";
import * as path from "path";

const REPO = path.resolve(__dirname, "../..");

function deploy(...args: string[]) {
  const res = spawnSync("npx", ["tsx", "scripts/deploy.ts", ...args], {
    cwd: REPO,
    encoding: "utf8",
    env: { ...process.env, CHECKPOINT_DISABLE: "1" },
  });
  return { status: res.status, stderr: res.stderr, stdout: res.stdout };
}

describe("scripts/deploy.ts command line", () => {
  test.each([
    [
      ["launch", "local"],
      "error: command: got 'launch'; expected one of deploy, plan, destroy, outputs",
    ],
    [
      ["deploy", "staging"],
      "error: stack: got 'staging'; expected one of local, production",
    ],
    [
      ["deploy", "local", "--engine", "fast"],
      "error: --engine: got 'fast'; expected one of auto, terraform, rehearsal",
    ],
    [["deploy", "local", "--config"], "error: --config needs a value"],
    [["plan", "local", "--force"], "error: unknown option '--force'"],
    [
      ["plan", "local", "--config", "no/such/file.json"],
      "error: --config: no file at",
    ],
  ])(
    "%j fails with one line and the usage, exit 2",
    (args, line) => {
      const res = deploy(...args);
      expect(res.status).toBe(2);
      const lines = res.stderr.trim().split("\n");
      expect(lines).toHaveLength(2);
      expect(lines[0].startsWith(line)).toBe(true);
      expect(lines[1]).toMatch(
        /^usage: npx tsx scripts\/deploy.ts <deploy\|plan\|destroy\|outputs> <stack>/,
      );
    },
    60_000,
  );
});
