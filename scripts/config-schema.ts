/**
 * Writes config/smart-access-config.schema.json, the JSON Schema of the
 * SMART_ACCESS_CONFIG file, from the settings table in config/schema.ts.
 *
 *   npx tsx scripts/config-schema.ts
 */
import * as fs from "fs";
import * as path from "path";
import { configJsonSchema } from "../config";

export const SCHEMA_FILE = path.join(
  __dirname,
  "..",
  "config",
  "smart-access-config.schema.json",
);

if (require.main === module) {
  fs.writeFileSync(
    SCHEMA_FILE,
    JSON.stringify(configJsonSchema(), null, 2) + "\n",
  );
}
