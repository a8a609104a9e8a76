import { Container } from "@cdktf/provider-docker/lib/container";
import { Testing } from "cdktf";
import {
  MigrationJob,
  migrationFailedMessage,
} from "../../constructs/migration-job";

function synth() {
  return Testing.synthScope((scope) => {
    const before = new Container(scope, "before", { name: "b", image: "x" });
    new MigrationJob(scope, "migration", {
      namePrefix: "sa",
      image: "sha256:abc",
      networkName: "sa-net",
      environment: {
        appEnv: "local",
        dbHost: "sa-postgres",
        dbName: "smart_access",
        dbUser: "sa_owner",
        dbPassword: "${var.db_owner_password}",
        pinHashKey: "${var.pin_hash_key}",
      },
      cpus: "1",
      memory: "256m",
      dependsOn: [before],
    });
  });
}

function job(text: string) {
  return (
    JSON.parse(text).resource.docker_container.migration_container_BA0A3A48 ??
    Object.values<any>(JSON.parse(text).resource.docker_container).find(
      (c) => c.name === "sa-migrate",
    )
  );
}

describe("MigrationJob", () => {
  test("runs `migrate` once, waits for it to end and keeps its logs", () => {
    expect(synth()).toHaveResourceWithProperties(Container, {
      name: "sa-migrate",
      command: ["migrate"],
      attach: true,
      must_run: false,
      logs: true,
      rm: false,
      restart: "no",
    });
  });

  test("a non-zero exit code fails the deploy with a message saying the migration failed", () => {
    expect(job(synth()).lifecycle).toEqual({
      postcondition: [
        {
          condition: "${self.exit_code == 0}",
          error_message: migrationFailedMessage("sa-migrate"),
        },
      ],
    });
    expect(migrationFailedMessage("sa-migrate")).toMatchInlineSnapshot(
      `"The database migration failed: container sa-migrate exited non-zero, so the API was not started. Its output: docker logs sa-migrate"`,
    );
  });

  test("connects as the owner role with the owner's password variable", () => {
    expect(job(synth()).env).toEqual(
      expect.arrayContaining([
        "DB_USER=sa_owner",
        "DB_PASSWORD=${var.db_owner_password}",
        "DB_HOST=sa-postgres",
      ]),
    );
  });

  test("waits for what it is given", () => {
    expect(job(synth()).depends_on).toEqual(["docker_container.before"]);
  });

  test("is hardened like the API", () => {
    expect(synth()).toHaveResourceWithProperties(Container, {
      name: "sa-migrate",
      user: "10001:10001",
      read_only: true,
      security_opts: ["no-new-privileges:true"],
      capabilities: { drop: ["ALL"] },
      memory: 256,
    });
  });
});
