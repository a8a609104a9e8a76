import { environmentVariableOf } from "./load";
import { SETTINGS, SettingValue } from "./schema";
import { expectation } from "./validate";

function show(value: SettingValue): string {
  return value === null ? "unset" : `\`${JSON.stringify(value)}\``;
}

/** The Markdown table of every setting, as docs/configuration.md embeds it. */
export function renderSettingsTable(): string {
  const rows = SETTINGS.map((spec) => {
    const defaults =
      spec.defaults.local === spec.defaults.production
        ? show(spec.defaults.local)
        : `local ${show(spec.defaults.local)}, production ${show(spec.defaults.production)}`;
    const accepts =
      expectation(spec.kind) + (spec.optional ? "; or unset" : "");
    return `| \`${spec.path}\` | \`${environmentVariableOf(spec.path)}\` | ${defaults} | ${accepts} | ${spec.description} |`;
  });
  return [
    "| Setting | Environment variable | Default | Accepts | Meaning |",
    "| --- | --- | --- | --- | --- |",
    ...rows,
  ].join("\n");
}
