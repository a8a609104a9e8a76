import { ValidationError } from "../../rehearsal/errors";
import { Resolver, formatPlan, plan } from "../../rehearsal/plan";
import { evaluatePostcondition } from "../../rehearsal/engine";
import { SECRET_ADMIN, SECRET_DB, fakeApply, fixture, inputs } from "./helpers";

describe("plan", () => {
  test("on an empty state, every resource is created in dependency order", async () => {
    const { plan: p } = await plan(inputs(fixture()));
    expect(formatPlan(p)).toEqual([
      "+ create docker_network.net",
      "+ create docker_image.api",
      "+ create docker_container.db",
      "+ create postgresql_role.app",
      "+ create docker_container.migrate",
      "+ create docker_container.api",
    ]);
  });

  test("with no change since the last apply, the plan is empty", async () => {
    const stack = fixture();
    const state = await fakeApply(stack);
    const { plan: p } = await plan(inputs(stack, state));
    expect(formatPlan(p)).toEqual([]);
  });

  test("a changed trigger replaces the image and the containers that use its id", async () => {
    const state = await fakeApply(fixture());
    const changed = fixture((json) => {
      json.resource.docker_image.api.triggers.context_sha256 = "bbb";
    });
    const { plan: p } = await plan(inputs(changed, state));
    expect(formatPlan(p)).toEqual([
      "-/+ replace docker_image.api (changed: triggers)",
      "-/+ replace docker_container.migrate (changed: image)",
      "-/+ replace docker_container.api (changed: image)",
    ]);
  });

  test("a changed role password is updated in place, without showing it", async () => {
    const state = await fakeApply(fixture());
    const env = { ...inputs(fixture()).env, TF_VAR_db_password: "another-one" };
    const { plan: p } = await plan({ ...inputs(fixture(), state), env });
    const lines = formatPlan(p);
    expect(lines).toContain(
      "~ update in place postgresql_role.app (changed: password)",
    );
    expect(lines).toContain("-/+ replace docker_container.api (changed: env)");
    expect(lines.join("\n")).not.toContain("another-one");
  });

  test("a resource removed from the configuration is destroyed", async () => {
    const state = await fakeApply(fixture());
    const smaller = fixture((json) => {
      delete json.resource.docker_container.api;
      delete json.output;
    });
    const { plan: p } = await plan(inputs(smaller, state));
    expect(formatPlan(p)).toEqual(["- destroy docker_container.api"]);
  });

  test("a resource gone from the engine is created again", async () => {
    const stack = fixture();
    const state = await fakeApply(stack);
    const { plan: p } = await plan(
      inputs(stack, state),
      async (address) => address !== "docker_network.net",
    );
    expect(formatPlan(p)).toEqual([
      "+ create docker_network.net (gone from the engine)",
    ]);
  });

  test("unknown types, attributes, values and variables are all reported at once, secrets hidden", async () => {
    const stack = fixture((json) => {
      json.resource.docker_service = { svc: { name: "x" } };
      json.resource.docker_container.api.gpus = "all";
      json.resource.docker_container.db.restart = "sometimes";
      json.resource.docker_container.db.memory = "lots";
      json.resource.postgresql_role.app.search_path = ["${var.db_password}"];
      json.resource.docker_network.net.count = 2;
    });
    const env = { TF_VAR_db_password: SECRET_DB };
    const error = await plan({ ...inputs(stack), env }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ValidationError);
    const message = (error as Error).message;
    expect(message).not.toContain(SECRET_DB);
    expect(message.split("\n").slice(1)).toEqual([
      "  - var.admin_password: no value: set TF_VAR_admin_password (sensitive; scripts/deploy.ts generates it into secrets.json)",
      "  - docker_network.net.count: the 'count' meta-argument is not supported by the rehearsal",
      "  - docker_service.svc: resource type docker_service is not supported by the rehearsal (supported: docker_network, docker_volume, docker_image, docker_container, postgresql_role, postgresql_database, postgresql_grant, postgresql_default_privileges, postgresql_schema)",
      '  - docker_container.db.memory: got "lots"; expected a number',
      '  - docker_container.db.restart: got "sometimes"; the rehearsal accepts no, on-failure, always, unless-stopped',
      "  - postgresql_role.app.search_path: attribute is not supported by the rehearsal (got (sensitive value)); remove it or teach rehearsal/resources the provider's semantics for it",
      '  - docker_container.api.gpus: attribute is not supported by the rehearsal (got "all"); remove it or teach rehearsal/resources the provider\'s semantics for it',
    ]);
  });

  test("a value the rehearsal cannot honour is refused before anything runs", async () => {
    const stack = fixture((json) => {
      json.resource.docker_container.db.restart = "sometimes";
    });
    await expect(plan(inputs(stack))).rejects.toThrow(
      'docker_container.db.restart: got "sometimes"; the rehearsal accepts no, on-failure, always, unless-stopped',
    );
  });

  test("an output that carries a secret without being sensitive is refused", async () => {
    const stack = fixture((json) => {
      json.output.leak = { value: "${var.db_password}" };
    });
    await expect(plan(inputs(stack))).rejects.toThrow(
      /output.leak: refers to sensitive values/,
    );
  });
});

describe("postconditions", () => {
  const resolver = new Resolver(inputs(fixture()));

  test.each([
    [0, true],
    [1, false],
  ])("exit_code %p makes `self.exit_code == 0` %p", (code, expected) => {
    expect(
      evaluatePostcondition(
        "${self.exit_code == 0}",
        resolver,
        "docker_container.migrate",
        { exit_code: code },
      ),
    ).toBe(expected);
  });

  test("a postcondition that is not a bool is an error", () => {
    expect(() =>
      evaluatePostcondition(
        "${self.name}",
        resolver,
        "docker_container.migrate",
        { name: "x" },
      ),
    ).toThrow(/gave "x", not a bool/);
  });
});

describe("state", () => {
  test("secrets never reach the state: sensitive attributes are stored as hashes only", async () => {
    const state = await fakeApply(fixture());
    const text = JSON.stringify(state);
    expect(text).not.toContain(SECRET_ADMIN);
    expect(text).not.toContain(SECRET_DB);
    expect(state.resources["postgresql_role.app"].attributes.password).toEqual({
      hash: expect.any(String),
      sensitive: true,
    });
    expect(state.resources["docker_container.db"].attributes.name).toEqual({
      hash: expect.any(String),
      value: "fx-db",
    });
  });
});

describe("provider blocks", () => {
  test("settings the rehearsal cannot honour are refused with the resources' problems", async () => {
    const stack = fixture((json) => {
      json.provider.docker[0].host = "ssh://deploy@example.invalid";
      json.provider.docker[0].cert_path = "/certs";
      json.provider.postgresql[0].sslmode = "sometimes";
      json.provider.random = [{}];
    });
    const error = await plan(inputs(stack)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message.split("\n").slice(1)).toEqual([
      '  - provider.docker.cert_path: provider setting is not supported by the rehearsal (got "/certs")',
      '  - provider.docker.host: got "ssh://deploy@example.invalid"; the rehearsal accepts unix:///path/to/docker.sock only (ssh:// and tcp:// need real Terraform)',
      '  - provider.postgresql.sslmode: got "sometimes"; expected one of disable, require, verify-ca, verify-full',
      "  - provider.random: provider random is not supported by the rehearsal (supported: docker, postgresql)",
    ]);
  });
});
