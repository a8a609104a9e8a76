import * as path from "path";
import { App } from "cdktf";
import { ConfigError, loadConfigs } from "./config";
import { LocalStack } from "./stacks/local";
import { ProductionStack } from "./stacks/production";

function main(): void {
  const configs = loadConfigs();
  const contextDir = path.resolve(__dirname);

  const app = new App();
  new LocalStack(app, "local", { contextDir, ...configs.local });
  new ProductionStack(app, "production", { contextDir, ...configs.production });
  app.synth();
}

try {
  main();
} catch (err) {
  // A configuration mistake is the user's to fix: the message, no trace.
  if (!(err instanceof ConfigError)) throw err;
  process.stderr.write(`${err.message}\n`);
  process.exit(1);
}
