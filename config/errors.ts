/**
 * Every user-facing error of the deployment code, worded in one place.
 * Each problem reads `<setting>: got '<value>'; expected <what is accepted>`.
 */

/** One or more invalid settings; thrown once with every problem listed. */
export class ConfigError extends Error {
  public readonly problems: readonly string[];

  constructor(problems: readonly string[], context: string) {
    const count =
      problems.length === 1 ? "1 problem" : `${problems.length} problems`;
    super(
      `Invalid Smart Access configuration (${context}): ${count}.\n` +
        problems.map((p) => `  - ${p}`).join("\n") +
        "\nFix these values (see docs/configuration.md) and run synth again.",
    );
    this.name = "ConfigError";
    this.problems = problems;
  }
}

/** Renders a received value the same way in every message. */
export function quote(value: unknown): string {
  if (value === undefined) return "nothing";
  if (typeof value === "string") return `'${value}'`;
  if (typeof value === "number") return `'${String(value)}'`;
  return `'${JSON.stringify(value)}'`;
}

export function problem(setting: string, value: unknown, expected: string) {
  return `${setting}: got ${quote(value)}; expected ${expected}`;
}

export function unreadableConfigFile(
  file: string,
  reason: string,
): ConfigError {
  return new ConfigError(
    [
      `SMART_ACCESS_CONFIG: got '${file}'; expected a readable JSON file (${reason})`,
    ],
    "config file",
  );
}

/** A build-context problem that stops synth before anything is written. */
export class BuildContextError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BuildContextError";
  }
}

export function missingBuildContext(dir: string): BuildContextError {
  return new BuildContextError(
    `The API image's build context '${dir}' does not exist or is not a directory. ` +
      "Pass the repository root as contextDir.",
  );
}
