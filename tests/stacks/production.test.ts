import { DockerProvider } from "@cdktf/provider-docker/lib/provider";
import { PostgresqlProvider } from "@cdktf/provider-postgresql/lib/provider";
import * as os from "os";
import * as path from "path";
import { startupGraph } from "../../scripts/graph";
import {
  allStrings,
  Json,
  REPOSITORY,
  resourceNamed,
  synthStack,
} from "./support";

const PRODUCTION = {
  SMART_ACCESS_PRODUCTION__DOCKER__HOST: "tcp://docker.example.org:2376",
  SMART_ACCESS_PRODUCTION__DOCKER__CERT_PATH: "certs/production",
  SMART_ACCESS_PRODUCTION__DATABASE__HOST: "db.example.org",
  SMART_ACCESS_PRODUCTION__DATABASE__PORT: "6432",
};

function withoutHash(json: Json): Json {
  const copy = JSON.parse(JSON.stringify(json));
  for (const image of Object.values<Json>(copy.resource.docker_image)) {
    image.triggers.context_sha256 = "<sha256 of the build context>";
  }
  return copy;
}

describe("the production stack", () => {
  const { json, text } = synthStack("production", { environ: PRODUCTION });

  test("matches the snapshot, which holds nothing of this machine", () => {
    expect(text).not.toContain(REPOSITORY);
    expect(text).not.toContain(path.join(os.tmpdir(), "smart-access-"));
    expect(withoutHash(json)).toMatchSnapshot();
  });

  test("has no database container and no volume", () => {
    const containers = Object.values<Json>(json.resource.docker_container).map(
      (c) => c.name,
    );

    expect(containers.sort()).toEqual([
      "smart-access-prod-api",
      "smart-access-prod-migrate",
    ]);
    expect(json.resource.docker_volume).toBeUndefined();
  });

  test("deploys to the remote Docker host with TLS certificates from the configured path", () => {
    expect(text).toHaveProviderWithProperties(DockerProvider, {
      host: "tcp://docker.example.org:2376",
      cert_path: "certs/production",
    });
  });

  test("an ssh:// host needs no certificates", () => {
    const ssh = synthStack("production", {
      environ: {
        SMART_ACCESS_PRODUCTION__DOCKER__HOST:
          "ssh://deploy@docker.example.org",
      },
    });

    expect(ssh.json.provider.docker).toEqual([
      { host: "ssh://deploy@docker.example.org" },
    ]);
  });

  test("connects to the existing server with TLS required and credentials from variables", () => {
    expect(text).toHaveProviderWithProperties(PostgresqlProvider, {
      host: "db.example.org",
      port: 6432,
      sslmode: "require",
      username: "${var.postgres_admin_username}",
      password: "${var.postgres_superuser_password}",
      superuser: false,
    });
    expect(json.variable.postgres_admin_username.sensitive).toBe(true);
    expect(json.variable.postgres_admin_username.default).toBeUndefined();
    expect(json.variable.postgres_superuser_password.sensitive).toBe(true);
  });

  test("the API and the migration reach the existing server with TLS", () => {
    for (const suffix of ["-api", "-migrate"]) {
      expect(resourceNamed(json, "docker_container", suffix).body.env).toEqual(
        expect.arrayContaining([
          "APP_ENV=production",
          "DB_HOST=db.example.org",
          "DB_PORT=6432",
          "DB_SSLMODE=require",
        ]),
      );
    }
  });

  test("keeps the ordering: database resources, then migration, then API", () => {
    const migration = resourceNamed(json, "docker_container", "-migrate");
    const api = resourceNamed(json, "docker_container", "-api");
    const edges = startupGraph(json).edges.filter(
      (e) => e.kind === "depends_on",
    );

    expect(edges.filter((e) => e.to === migration.address)).toHaveLength(12);
    expect(
      edges.filter((e) => e.to === api.address).map((e) => e.from),
    ).toEqual([migration.address]);
  });

  test("declares no bootstrap admin token", () => {
    expect(json.variable.bootstrap_admin_token).toBeUndefined();
    expect(allStrings(json.resource).join("\n")).not.toContain(
      "BOOTSTRAP_ADMIN_TOKEN",
    );
  });

  test("outputs the API URL, the database and the role names", () => {
    const custom = synthStack("production", {
      environ: {
        ...PRODUCTION,
        SMART_ACCESS_PRODUCTION__API__PUBLIC_URL: "https://access.example.org/",
      },
    });

    expect(custom.json.output.api_url.value).toBe("https://access.example.org");
    expect(Object.keys(json.output).sort()).toEqual([
      "api_url",
      "database_name",
      "owner_role",
      "runtime_role",
    ]);
  });
});
