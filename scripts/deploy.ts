/**
 * Deploys, plans, destroys or reports a stack:
 *
 *   npx tsx scripts/deploy.ts <deploy|plan|destroy|outputs> <stack>
 *       [--config FILE] [--engine auto|terraform|rehearsal] [--json]
 *
 * Per deployment it keeps .smart-access/<name>/: secrets.json (generated
 * once, reused), the rehearsal's state and the synthesized stack it applied.
 */
import { spawn } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { ConfigError, ENVIRONMENTS, loadConfig } from "../config";
import { containerLogTail, dockerClient } from "../rehearsal/docker";
import { Engine } from "../rehearsal/engine";
import { ApplyError, RehearsalError } from "../rehearsal/errors";
import { formatPlan } from "../rehearsal/plan";
import { HANDLERS } from "../rehearsal/resources";
import { StackConfig, parseStack, stackFile } from "../rehearsal/stack";
import { readState } from "../rehearsal/state";

const REPO = path.resolve(__dirname, "..");
const COMMANDS = ["deploy", "plan", "destroy", "outputs"] as const;
const ENGINES = ["auto", "terraform", "rehearsal"] as const;
const SECRETS = [
  "postgres_superuser_password",
  "db_owner_password",
  "db_runtime_password",
  "pin_hash_key",
  "bootstrap_admin_token",
];
const PROVIDERS = ["kreuzwerker/docker/3.6.2", "cyrilgdn/postgresql/1.26.0"];
// cdktf's output dir: the stacks' relative build paths climb from
// cdktf.out/stacks/<stack>/ back to the repository, so synth goes here.
const SYNTH_DIR = path.join(REPO, "cdktf.out");

const USAGE =
  "usage: npx tsx scripts/deploy.ts <deploy|plan|destroy|outputs> <stack> [--config FILE] [--engine auto|terraform|rehearsal] [--json]";

type Command = (typeof COMMANDS)[number];
type EngineName = (typeof ENGINES)[number];

interface Args {
  command: Command;
  stack: string;
  config?: string;
  engine: EngineName;
  json: boolean;
}

class UsageError extends Error {}

function parseArgs(argv: string[]): Args {
  const positional: string[] = [];
  let config: string | undefined;
  let engine: EngineName = "auto";
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--config" || arg === "--engine") {
      const value = argv[++i];
      if (value === undefined || value.startsWith("--")) {
        throw new UsageError(`${arg} needs a value`);
      }
      if (arg === "--config") config = path.resolve(value);
      else if ((ENGINES as readonly string[]).includes(value))
        engine = value as EngineName;
      else
        throw new UsageError(
          `--engine: got '${value}'; expected one of ${ENGINES.join(", ")}`,
        );
    } else if (arg === "--json") {
      json = true;
    } else if (arg.startsWith("--")) {
      throw new UsageError(`unknown option '${arg}'`);
    } else {
      positional.push(arg);
    }
  }
  const [command, stack, ...rest] = positional;
  if (!command || !(COMMANDS as readonly string[]).includes(command)) {
    throw new UsageError(
      `command: got '${command ?? ""}'; expected one of ${COMMANDS.join(", ")}`,
    );
  }
  if (!stack || !(ENVIRONMENTS as readonly string[]).includes(stack)) {
    throw new UsageError(
      `stack: got '${stack ?? ""}'; expected one of ${ENVIRONMENTS.join(", ")}`,
    );
  }
  if (rest.length > 0) throw new UsageError(`unexpected argument '${rest[0]}'`);
  if (config && !fs.existsSync(config)) {
    throw new UsageError(`--config: no file at '${config}'`);
  }
  return { command: command as Command, stack, config, engine, json };
}

/** One progress line before and after, with the duration, on stderr. */
async function step<T>(what: string, run: () => Promise<T>): Promise<T> {
  const start = Date.now();
  process.stderr.write(`==> ${what}\n`);
  const seconds = () => `${((Date.now() - start) / 1000).toFixed(1)}s`;
  try {
    const result = await run();
    process.stderr.write(`${what}: done in ${seconds()}\n`);
    return result;
  } catch (err) {
    process.stderr.write(`${what}: failed after ${seconds()}\n`);
    throw err;
  }
}

function run(
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  capture = false,
): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: REPO,
      env,
      stdio: capture
        ? ["ignore", "pipe", "pipe"]
        : ["ignore", "inherit", "inherit"],
    });
    let output = "";
    child.stdout?.on("data", (c: Buffer) => (output += c.toString()));
    child.stderr?.on("data", (c: Buffer) => (output += c.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? 1, output }));
  });
}

/** secrets.json: generated once per deployment (0600), then reused. */
function loadSecrets(workDir: string): Record<string, string> {
  const file = path.join(workDir, "secrets.json");
  let secrets: Record<string, string> = {};
  if (fs.existsSync(file)) {
    secrets = JSON.parse(fs.readFileSync(file, "utf8")) as Record<
      string,
      string
    >;
  }
  let changed = false;
  for (const name of SECRETS) {
    if (!secrets[name]) {
      secrets[name] = crypto.randomBytes(32).toString("base64url");
      changed = true;
    }
  }
  if (changed) {
    fs.mkdirSync(workDir, { recursive: true, mode: 0o700 });
    fs.writeFileSync(file, `${JSON.stringify(secrets, null, 2)}\n`, {
      mode: 0o600,
    });
  }
  fs.chmodSync(file, 0o600);
  return secrets;
}

/**
 * scripts/deploy.sh passes the images scripts/images.sh chose in
 * SMART_ACCESS_DEPLOY_IMAGES; they apply only where the configuration
 * names no image itself. They are remembered in images.json, so that a
 * later plan or destroy run without deploy.sh sees the same stack.
 */
function imageDefaults(
  stack: string,
  configFile: string | undefined,
  env: NodeJS.ProcessEnv,
  workDir: string,
): NodeJS.ProcessEnv {
  const remembered = path.join(workDir, "images.json");
  let chosen = env.SMART_ACCESS_DEPLOY_IMAGES;
  if (chosen) fs.writeFileSync(remembered, `${chosen.trim()}\n`);
  else if (fs.existsSync(remembered))
    chosen = fs.readFileSync(remembered, "utf8");
  if (!chosen) return {};
  let images: { postgres?: string; pythonBase?: string };
  try {
    images = JSON.parse(chosen) as typeof images;
  } catch {
    throw new UsageError(
      `SMART_ACCESS_DEPLOY_IMAGES: got '${chosen}'; expected the JSON line scripts/images.sh prints`,
    );
  }
  let fromFile: Record<string, unknown> = {};
  if (configFile) {
    const doc = JSON.parse(fs.readFileSync(configFile, "utf8")) as Record<
      string,
      Record<string, unknown>
    >;
    fromFile =
      (doc[stack]?.images as Record<string, unknown> | undefined) ?? {};
  }
  const out: NodeJS.ProcessEnv = {};
  const upper = stack.toUpperCase();
  for (const [setting, envName, value] of [
    ["postgres", "POSTGRES", images.postgres],
    ["apiBase", "API_BASE", images.pythonBase],
  ] as const) {
    const named =
      fromFile[setting] !== undefined ||
      env[`SMART_ACCESS_IMAGES__${envName}`] !== undefined ||
      env[`SMART_ACCESS_${upper}__IMAGES__${envName}`] !== undefined;
    if (!named && value)
      out[`SMART_ACCESS_${upper}__IMAGES__${envName}`] = value;
  }
  return out;
}

function mirrorReady(): { ready: boolean; why: string } {
  const mirror = path.join(
    REPO,
    ".cache",
    "terraform-mirror",
    "registry.terraform.io",
  );
  const rc = path.join(REPO, ".cache", "terraformrc");
  const missing = PROVIDERS.filter((p) => {
    const dir = path.join(mirror, p);
    return (
      !fs.existsSync(dir) ||
      !fs
        .readdirSync(dir, { recursive: true })
        .some((f) => String(f).includes("terraform-provider-"))
    );
  });
  if (missing.length > 0) {
    return {
      ready: false,
      why: `no plugin for ${missing.join(", ")} in .cache/terraform-mirror (scripts/providers.sh builds them)`,
    };
  }
  if (!fs.existsSync(rc))
    return {
      ready: false,
      why: "no .cache/terraformrc (scripts/providers.sh writes it)",
    };
  return {
    ready: true,
    why: "both provider plugins are in .cache/terraform-mirror",
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Deployments made from one tree share cdktf.out, so synth and the read of
 * its result happen under a lock file; a lock whose process is gone is
 * taken over.
 */
async function withSynthLock<T>(run: () => Promise<T>): Promise<T> {
  const lock = path.join(REPO, ".smart-access", "synth.lock");
  fs.mkdirSync(path.dirname(lock), { recursive: true });
  const deadline = Date.now() + 15 * 60 * 1000;
  for (;;) {
    try {
      fs.writeFileSync(lock, String(process.pid), { flag: "wx" });
      break;
    } catch {
      const holder = Number(fs.readFileSync(lock, "utf8") || 0);
      let alive = false;
      try {
        process.kill(holder, 0);
        alive = holder > 0;
      } catch {
        alive = false;
      }
      if (!alive) fs.rmSync(lock, { force: true });
      else if (Date.now() > deadline) {
        throw new RehearsalError(
          `another deploy (pid ${holder}) has held ${lock} for 15 minutes`,
        );
      } else await sleep(250);
    }
  }
  try {
    return await run();
  } finally {
    fs.rmSync(lock, { force: true });
  }
}

/** Synthesizes and returns a private copy of the stack's JSON. */
async function synth(
  env: NodeJS.ProcessEnv,
  stack: string,
  copy: string,
): Promise<Record<string, unknown>> {
  return step("synth", () =>
    withSynthLock(async () => {
      const res = await run(
        "npx",
        ["cdktf", "synth", "--output", SYNTH_DIR],
        env,
        true,
      );
      if (res.code !== 0) {
        const lines = res.output
          .split("\n")
          .filter((l) => l.trim() && !/^\s+at /.test(l));
        const config = lines.find((l) =>
          l.includes("Invalid Smart Access configuration"),
        );
        const detail = config
          ? lines.slice(lines.indexOf(config)).join("\n")
          : lines.slice(-15).join("\n");
        throw new RehearsalError(`synth failed:\n${detail}`);
      }
      const file = stackFile(SYNTH_DIR, stack);
      if (!fs.existsSync(file)) {
        throw new RehearsalError(
          `synth wrote no ${file}; is '${stack}' a stack in main.ts?`,
        );
      }
      fs.copyFileSync(file, copy);
      return JSON.parse(fs.readFileSync(copy, "utf8")) as Record<
        string,
        unknown
      >;
    }),
  );
}

async function printFailureLogs(err: unknown, host: string): Promise<void> {
  if (!(err instanceof ApplyError) || !err.container) return;
  try {
    const tail = await containerLogTail(dockerClient(host), err.container, 20);
    process.stderr.write(
      `--- last 20 log lines of container ${err.container} ---\n${tail || "(no output)"}\n---\n`,
    );
  } catch {
    // the container may be gone already; the error itself still stands
  }
}

async function terraform(args: Args, env: NodeJS.ProcessEnv): Promise<number> {
  // Known limit: this path cannot run on a machine without the plugins, so it is untested here.
  const tfEnv = {
    ...env,
    TF_CLI_CONFIG_FILE: path.join(REPO, ".cache", "terraformrc"),
  };
  const sub: Record<Command, string[]> = {
    deploy: ["deploy", args.stack, "--auto-approve", "--output", SYNTH_DIR],
    plan: ["diff", args.stack, "--output", SYNTH_DIR],
    destroy: ["destroy", args.stack, "--auto-approve", "--output", SYNTH_DIR],
    outputs: [
      "output",
      args.stack,
      "--output",
      SYNTH_DIR,
      ...(args.json ? ["--json"] : []),
    ],
  };
  const res = await step(`cdktf ${sub[args.command][0]} ${args.stack}`, () =>
    run("npx", ["cdktf", ...sub[args.command]], tfEnv),
  );
  return res.code;
}

/** The deployment name a config file sets, read without validating it. */
function nameInFile(
  configFile: string | undefined,
  stack: string,
): string | undefined {
  if (!configFile) return undefined;
  try {
    const doc = JSON.parse(fs.readFileSync(configFile, "utf8")) as Record<
      string,
      { name?: unknown }
    >;
    const name = doc[stack]?.name;
    return typeof name === "string" && /^[a-z][a-z0-9-]*$/.test(name)
      ? name
      : undefined;
  } catch {
    return undefined;
  }
}

async function main(argv: string[]): Promise<number> {
  let args: Args;
  try {
    args = parseArgs(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`error: ${err.message}\n${USAGE}\n`);
    return 2;
  }

  const baseEnv: NodeJS.ProcessEnv = {
    ...process.env,
    CHECKPOINT_DISABLE: "1",
  };
  if (args.config) baseEnv.SMART_ACCESS_CONFIG = args.config;
  else delete baseEnv.SMART_ACCESS_CONFIG;

  let name: string;
  try {
    name = loadConfig(args.stack as (typeof ENVIRONMENTS)[number], {
      environ: baseEnv,
      cwd: REPO,
    }).config.name;
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    // destroy and outputs work from what was applied, so a configuration
    // that has become invalid since must not strand a deployment.
    const named =
      args.command === "deploy" || args.command === "plan"
        ? undefined
        : nameInFile(args.config, args.stack);
    if (!named) {
      process.stderr.write(`${err.message}\n`);
      return 1;
    }
    name = named;
  }
  const workDir = path.join(REPO, ".smart-access", name);
  if (
    args.command === "destroy" &&
    !fs.existsSync(path.join(workDir, `rehearsal-state-${args.stack}.json`)) &&
    !fs.existsSync(path.join(workDir, "secrets.json"))
  ) {
    process.stderr.write(
      `nothing to destroy: deployment ${name} has no state\n`,
    );
    return 0;
  }
  const secrets = loadSecrets(workDir);
  const env: NodeJS.ProcessEnv = {
    ...baseEnv,
    ...imageDefaults(args.stack, args.config, baseEnv, workDir),
  };
  for (const [k, v] of Object.entries(secrets)) env[`TF_VAR_${k}`] = v;

  let engine: "terraform" | "rehearsal" =
    args.engine === "terraform" ? "terraform" : "rehearsal";
  if (args.engine === "auto") {
    const m = mirrorReady();
    engine = m.ready ? "terraform" : "rehearsal";
    process.stderr.write(`engine: ${engine} (${m.why})\n`);
  } else if (args.engine === "terraform" && !mirrorReady().ready) {
    process.stderr.write(`error: --engine terraform: ${mirrorReady().why}\n`);
    return 1;
  }
  if (engine === "terraform") return terraform(args, env);

  const stateFile = path.join(workDir, `rehearsal-state-${args.stack}.json`);
  const appliedFile = path.join(workDir, `cdk.tf.${args.stack}.json`);
  const synthFile = path.join(workDir, `synth.${args.stack}.json`);
  const log = (line: string) => process.stderr.write(`    ${line}\n`);

  if (args.command === "outputs") {
    const outputs = readState(stateFile).outputs;
    const values = Object.fromEntries(
      Object.entries(outputs).map(([k, o]) => [
        k,
        o.sensitive ? "(sensitive)" : o.value,
      ]),
    );
    if (args.json) process.stdout.write(`${JSON.stringify(values, null, 2)}\n`);
    else
      for (const [k, v] of Object.entries(values))
        process.stdout.write(`${k} = ${JSON.stringify(v)}\n`);
    return 0;
  }

  let stack: StackConfig;
  if (args.command === "destroy" && fs.existsSync(appliedFile)) {
    // Destroy what was applied, even if the configuration changed since.
    stack = parseStack(
      JSON.parse(fs.readFileSync(appliedFile, "utf8")),
      path.dirname(stackFile(SYNTH_DIR, args.stack)),
    );
  } else {
    const json = await synth(env, args.stack, synthFile);
    stack = parseStack(json, path.dirname(stackFile(SYNTH_DIR, args.stack)));
  }

  const engineInstance = new Engine({
    stack,
    state: readState(stateFile),
    handlers: HANDLERS,
    env,
    stateFile,
    log,
  });
  const host = String(
    stack.providers.get("docker")?.host ?? "unix:///var/run/docker.sock",
  );

  try {
    if (args.command === "plan") {
      const { plan } = await step(`plan ${args.stack} (rehearsal)`, () =>
        engineInstance.plan(),
      );
      const lines = formatPlan(plan);
      process.stdout.write(
        lines.length ? `${lines.join("\n")}\n` : "No changes.\n",
      );
      return lines.length ? 2 : 0;
    }
    if (args.command === "destroy") {
      const n = await step(`destroy ${args.stack} (rehearsal)`, () =>
        engineInstance.destroyAll(),
      );
      process.stderr.write(`destroyed ${n} resources\n`);
      if (fs.existsSync(appliedFile)) fs.rmSync(appliedFile);
      return 0;
    }
    fs.copyFileSync(synthFile, appliedFile);
    const { lines } = await step(`deploy ${args.stack} (rehearsal)`, () =>
      engineInstance.apply(),
    );
    process.stderr.write(
      lines.length
        ? `applied:\n${lines.map((l) => `  ${l}`).join("\n")}\n`
        : "no changes\n",
    );
    return 0;
  } catch (err) {
    if (!(err instanceof RehearsalError)) throw err;
    process.stderr.write(`error: ${err.message}\n`);
    await printFailureLogs(err, host);
    return 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(
      `error: ${err instanceof Error ? err.message : String(err)}\n`,
    );
    process.exit(1);
  },
);
