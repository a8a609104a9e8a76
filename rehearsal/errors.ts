/**
 * Every failure the rehearsal reports to a person goes through this module,
 * so the wording stays consistent: what failed, the value, what is accepted.
 */

/** A problem found in the synthesized configuration before anything ran. */
export interface Problem {
  /** Resource address (`docker_container.api`), or `provider.docker`, … */
  readonly address: string;
  /** Attribute path inside the block, empty for the block itself. */
  readonly attribute: string;
  readonly message: string;
}

export class RehearsalError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RehearsalError";
  }
}

/** Thrown once, listing every problem, before the engine touches anything. */
export class ValidationError extends RehearsalError {
  constructor(readonly problems: readonly Problem[]) {
    super(
      `the rehearsal cannot apply this configuration (${problems.length} ` +
        `problem${problems.length === 1 ? "" : "s"}); nothing was changed:\n` +
        problems.map((p) => `  - ${formatProblem(p)}`).join("\n"),
    );
    this.name = "ValidationError";
  }
}

/** A resource failed while being applied; `container` names its container. */
export class ApplyError extends RehearsalError {
  constructor(
    readonly address: string,
    message: string,
    readonly container?: string,
  ) {
    super(`${address}: ${message}`);
    this.name = "ApplyError";
  }
}

export function formatProblem(p: Problem): string {
  const where = p.attribute ? `${p.address}.${p.attribute}` : p.address;
  return `${where}: ${p.message}`;
}

/** Renders a value for an error message; sensitive values never appear. */
export function showValue(value: unknown, sensitive = false): string {
  if (sensitive) return "(sensitive value)";
  const text = JSON.stringify(value);
  if (text === undefined) return String(value);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

export function unsupportedAttribute(
  address: string,
  attribute: string,
  value: unknown,
  sensitive: boolean,
): Problem {
  return {
    address,
    attribute,
    message: `attribute is not supported by the rehearsal (got ${showValue(value, sensitive)}); remove it or teach rehearsal/resources the provider's semantics for it`,
  };
}

export function unsupportedValue(
  address: string,
  attribute: string,
  value: unknown,
  accepted: string,
  sensitive = false,
): Problem {
  return {
    address,
    attribute,
    message: `got ${showValue(value, sensitive)}; the rehearsal accepts ${accepted}`,
  };
}

/** The object was created but a later step of its create failed. */
export class PartialCreate extends ApplyError {
  constructor(
    address: string,
    message: string,
    /** Computed attributes of the half-made object, so it can be destroyed. */
    readonly outputs: Record<string, unknown>,
    container?: string,
  ) {
    super(address, message, container);
    this.name = "PartialCreate";
  }
}
