import {
  ExpressionError,
  Scope,
  Unknown,
  evaluate,
  isUnknown,
  parseTemplate,
  references,
} from "../../rehearsal/expressions";

const scope: Scope = {
  variable: (name) => ({ value: `v-${name}`, sensitive: name === "secret" }),
  local: () => ({ value: "l", sensitive: false }),
  resource: (address, path) =>
    address === "docker_image.api" && path[0] === "image_id"
      ? { value: new Unknown("image_id"), sensitive: false }
      : { value: `${address}:${path.join(".")}`, sensitive: false },
  self: (path) => ({
    value: path[0] === "exit_code" ? 3 : null,
    sensitive: false,
  }),
};

const run = (text: string) => evaluate(parseTemplate(text), scope);

describe("expressions", () => {
  test.each([
    ["plain text", "plain text"],
    ["${var.a}", "v-a"],
    ["x-${var.a}-${docker_network.net.name}", "x-v-a-docker_network.net:name"],
    ["$${literal}", "${literal}"],
    ["${self.exit_code == 0}", false],
    ["${self.exit_code == 3}", true],
    ["${self.exit_code != 0 && true}", true],
    [
      "${docker_container.db.network_data[0].ip_address}",
      "docker_container.db:network_data.0.ip_address",
    ],
  ])("%s evaluates to %p", (text, expected) => {
    expect(run(text).value).toEqual(expected);
  });

  test("a template with a sensitive variable is sensitive", () => {
    expect(run("PW=${var.secret}").sensitive).toBe(true);
    expect(run("PW=${var.plain}").sensitive).toBe(false);
  });

  test("a reference to a computed attribute stays unknown through a template", () => {
    expect(isUnknown(run("img ${docker_image.api.image_id}").value)).toBe(true);
  });

  test("an unknown function fails naming it", () => {
    expect(() => run('${md5("x")}')).toThrow(
      /function md5\(\) is not supported/,
    );
  });

  test.each([
    ["${data.docker_image.x.id}", /data\.\*/],
    ["${path.module}", /path\.\*/],
    ["%{ if true }x%{ endif }", /directives/],
    ["${var.a", /expected '}'/],
  ])("%s is rejected", (text, message) => {
    expect(() => run(text)).toThrow(ExpressionError);
    expect(() => run(text)).toThrow(message);
  });

  test("references name resources by address and keep the attribute path", () => {
    const refs = references(
      parseTemplate("${docker_image.api.image_id}-${var.x}-${self.exit_code}"),
    );
    expect(refs).toEqual([
      { kind: "resource", address: "docker_image.api", path: ["image_id"] },
      { kind: "var", name: "x" },
      { kind: "self", path: ["exit_code"] },
    ]);
  });
});
