/**
 * Regenerates what is derived from the settings table in config/schema.ts:
 * config/smart-access-config.schema.json (the config file's JSON Schema)
 * and the settings table in docs/configuration.md. Tests fail when either
 * is stale.
 *
 *   npx tsx scripts/config-schema.ts
 */
import * as fs from "fs";
import * as path from "path";
import { configJsonSchema, renderSettingsTable } from "../config";

export const SCHEMA_FILE = path.join(
  __dirname,
  "..",
  "config",
  "smart-access-config.schema.json",
);
export const CONFIGURATION_DOC = path.join(
  __dirname,
  "..",
  "docs",
  "configuration.md",
);
export const TABLE_START = "<!-- settings-table:start -->\n";
export const TABLE_END = "\n<!-- settings-table:end -->";

/** The settings table as embedded in a document. */
export function embeddedTable(doc: string): string {
  return doc.slice(
    doc.indexOf(TABLE_START) + TABLE_START.length,
    doc.indexOf(TABLE_END),
  );
}

function main(): void {
  fs.writeFileSync(
    SCHEMA_FILE,
    JSON.stringify(configJsonSchema(), null, 2) + "\n",
  );

  const doc = fs.readFileSync(CONFIGURATION_DOC, "utf8");
  fs.writeFileSync(
    CONFIGURATION_DOC,
    doc.replace(embeddedTable(doc), renderSettingsTable()),
  );
}

if (require.main === module) main();
