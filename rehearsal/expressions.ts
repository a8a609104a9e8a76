/**
 * The subset of Terraform's expression language that cdktf emits for these
 * stacks: `${...}` interpolations inside strings, references (`var.x`,
 * `local.x`, `self.x`, `<type>.<name>.<attr>` with `.attr` / `[n]` steps),
 * literals, comparison and boolean operators, and the functions listed in
 * FUNCTIONS. Anything else is an error naming the expression.
 */

/** A value that only exists after apply (a computed attribute). */
export class Unknown {
  constructor(readonly reason: string) {}
}

export function isUnknown(value: unknown): value is Unknown {
  return value instanceof Unknown;
}

export class ExpressionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ExpressionError";
  }
}

export type PathStep = string | number;

export type Expr =
  | { kind: "literal"; value: unknown }
  | { kind: "template"; parts: (string | Expr)[] }
  | { kind: "ref"; root: string; steps: (PathStep | Expr)[] }
  | { kind: "call"; name: string; args: Expr[] }
  | { kind: "binary"; op: string; left: Expr; right: Expr }
  | { kind: "unary"; op: string; operand: Expr }
  | { kind: "list"; items: Expr[] }
  | { kind: "conditional"; test: Expr; then: Expr; otherwise: Expr };

/** A reference found in an expression, as the dependency graph needs it. */
export type Reference =
  | { kind: "var"; name: string }
  | { kind: "local"; name: string }
  | { kind: "self"; path: PathStep[] }
  | { kind: "resource"; address: string; path: PathStep[] };

export interface Resolved {
  readonly value: unknown;
  /** True when any input of the value was sensitive. */
  readonly sensitive: boolean;
}

export interface Scope {
  variable(name: string): Resolved;
  local(name: string): Resolved;
  resource(address: string, path: PathStep[]): Resolved;
  self(path: PathStep[]): Resolved;
}

/** Roots Terraform reserves; only var, local and self are supported here. */
const RESERVED_ROOTS = new Set([
  "var",
  "local",
  "self",
  "path",
  "data",
  "module",
  "count",
  "each",
  "terraform",
]);

type Fn = (args: unknown[]) => unknown;

/**
 * The functions the synthesized stacks use: none today. A function is added
 * here only when a stack emits it, with a test of its Terraform semantics.
 */
export const FUNCTIONS: Record<string, Fn> = {};

// ---------------------------------------------------------------- parsing

type Token =
  | { t: "num"; v: number }
  | { t: "str"; v: Expr }
  | { t: "id"; v: string }
  | { t: "op"; v: string }
  | { t: "end" };

const OPERATORS = [
  "==",
  "!=",
  "<=",
  ">=",
  "&&",
  "||",
  "<",
  ">",
  "!",
  "+",
  "-",
  "*",
  "/",
  "%",
  "?",
  ":",
  ".",
  ",",
  "[",
  "]",
  "(",
  ")",
  "}",
];

class Parser {
  private pos: number;
  private token: Token = { t: "end" };

  constructor(
    private readonly text: string,
    start: number,
  ) {
    this.pos = start;
    this.advance();
  }

  /** Parses one interpolation body up to its closing brace. */
  parseInterpolation(): { expr: Expr; end: number } {
    const expr = this.expression();
    if (!(this.token.t === "op" && this.token.v === "}")) {
      throw this.error("expected '}' to close the interpolation");
    }
    return { expr, end: this.pos };
  }

  private error(message: string): ExpressionError {
    return new ExpressionError(`${message} at offset ${this.pos}`);
  }

  private advance(): void {
    const s = this.text;
    while (this.pos < s.length && /\s/.test(s[this.pos])) this.pos++;
    if (this.pos >= s.length) {
      this.token = { t: "end" };
      return;
    }
    const c = s[this.pos];
    if (/[0-9]/.test(c)) {
      const m = /^[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(s.slice(this.pos));
      this.pos += m![0].length;
      this.token = { t: "num", v: Number(m![0]) };
      return;
    }
    if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(s.slice(this.pos));
      this.pos += m![0].length;
      this.token = { t: "id", v: m![0] };
      return;
    }
    if (c === '"') {
      const { expr, end } = parseQuoted(s, this.pos + 1);
      this.pos = end;
      this.token = { t: "str", v: expr };
      return;
    }
    for (const op of OPERATORS) {
      if (s.startsWith(op, this.pos)) {
        this.pos += op.length;
        this.token = { t: "op", v: op };
        return;
      }
    }
    throw this.error(`unexpected character ${JSON.stringify(c)}`);
  }

  private isOp(v: string): boolean {
    return this.token.t === "op" && this.token.v === v;
  }

  private expect(v: string): void {
    if (!this.isOp(v)) throw this.error(`expected '${v}'`);
    this.advance();
  }

  private expression(): Expr {
    const test = this.binary(0);
    if (!this.isOp("?")) return test;
    this.advance();
    const then = this.expression();
    this.expect(":");
    const otherwise = this.expression();
    return { kind: "conditional", test, then, otherwise };
  }

  private static readonly PRECEDENCE: Record<string, number> = {
    "||": 1,
    "&&": 2,
    "==": 3,
    "!=": 3,
    "<": 4,
    ">": 4,
    "<=": 4,
    ">=": 4,
    "+": 5,
    "-": 5,
    "*": 6,
    "/": 6,
    "%": 6,
  };

  private binary(minPrecedence: number): Expr {
    let left = this.unary();
    for (;;) {
      const tok = this.token;
      const prec = tok.t === "op" ? Parser.PRECEDENCE[tok.v] : undefined;
      if (prec === undefined || prec < minPrecedence) return left;
      this.advance();
      const right = this.binary(prec + 1);
      left = { kind: "binary", op: (tok as { v: string }).v, left, right };
    }
  }

  private unary(): Expr {
    if (this.isOp("!") || this.isOp("-")) {
      const op = (this.token as { v: string }).v;
      this.advance();
      return { kind: "unary", op, operand: this.unary() };
    }
    return this.postfix(this.primary());
  }

  private primary(): Expr {
    const tok = this.token;
    if (tok.t === "num") {
      this.advance();
      return { kind: "literal", value: tok.v };
    }
    if (tok.t === "str") {
      this.advance();
      return tok.v;
    }
    if (this.isOp("(")) {
      this.advance();
      const inner = this.expression();
      this.expect(")");
      return inner;
    }
    if (this.isOp("[")) {
      this.advance();
      const items: Expr[] = [];
      while (!this.isOp("]")) {
        items.push(this.expression());
        if (!this.isOp(",")) break;
        this.advance();
      }
      this.expect("]");
      return { kind: "list", items };
    }
    if (tok.t === "id") {
      this.advance();
      if (tok.v === "true" || tok.v === "false") {
        return { kind: "literal", value: tok.v === "true" };
      }
      if (tok.v === "null") return { kind: "literal", value: null };
      if (this.isOp("(")) {
        this.advance();
        const args: Expr[] = [];
        while (!this.isOp(")")) {
          args.push(this.expression());
          if (!this.isOp(",")) break;
          this.advance();
        }
        this.expect(")");
        return { kind: "call", name: tok.v, args };
      }
      return { kind: "ref", root: tok.v, steps: [] };
    }
    throw this.error("expected a value");
  }

  private postfix(expr: Expr): Expr {
    for (;;) {
      if (this.isOp(".")) {
        this.advance();
        const tok = this.token;
        if (tok.t !== "id" && tok.t !== "num") {
          throw this.error("expected an attribute name after '.'");
        }
        this.advance();
        expr = this.step(expr, tok.t === "id" ? tok.v : tok.v);
      } else if (this.isOp("[")) {
        this.advance();
        const index = this.expression();
        this.expect("]");
        expr = this.step(
          expr,
          index.kind === "literal" &&
            (typeof index.value === "number" || typeof index.value === "string")
            ? index.value
            : index,
        );
      } else {
        return expr;
      }
    }
  }

  private step(expr: Expr, step: PathStep | Expr): Expr {
    if (expr.kind !== "ref") {
      throw this.error("attribute access is supported on references only");
    }
    return { ...expr, steps: [...expr.steps, step] };
  }
}

/** Parses a quoted string literal body (after the opening quote). */
function parseQuoted(s: string, start: number): { expr: Expr; end: number } {
  const parts: (string | Expr)[] = [];
  let text = "";
  let i = start;
  while (i < s.length) {
    const c = s[i];
    if (c === '"') {
      if (text) parts.push(text);
      return { expr: simplify(parts), end: i + 1 };
    }
    if (c === "\\") {
      const next = s[i + 1];
      const escapes: Record<string, string> = {
        n: "\n",
        t: "\t",
        r: "\r",
        '"': '"',
        "\\": "\\",
      };
      if (!(next in escapes)) {
        throw new ExpressionError(`unsupported escape \\${next}`);
      }
      text += escapes[next];
      i += 2;
      continue;
    }
    if (s.startsWith("${", i)) {
      if (text) parts.push(text);
      text = "";
      const { expr, end } = new Parser(s, i + 2).parseInterpolation();
      parts.push(expr);
      i = end;
      continue;
    }
    text += c;
    i++;
  }
  throw new ExpressionError("unterminated string literal");
}

function simplify(parts: (string | Expr)[]): Expr {
  if (parts.length === 0) return { kind: "literal", value: "" };
  if (parts.length === 1 && typeof parts[0] === "string") {
    return { kind: "literal", value: parts[0] };
  }
  return { kind: "template", parts };
}

/**
 * Parses a string attribute value as a Terraform template. A string that is
 * exactly one interpolation keeps the type of its expression, as in HCL.
 */
export function parseTemplate(text: string): Expr {
  const parts: (string | Expr)[] = [];
  let literal = "";
  let i = 0;
  while (i < text.length) {
    if (text.startsWith("$${", i) || text.startsWith("%%{", i)) {
      literal += text.slice(i + 1, i + 3);
      i += 3;
    } else if (text.startsWith("%{", i)) {
      throw new ExpressionError(
        "template directives (%{ ... }) are not supported",
      );
    } else if (text.startsWith("${", i)) {
      if (literal) parts.push(literal);
      literal = "";
      const { expr, end } = new Parser(text, i + 2).parseInterpolation();
      parts.push(expr);
      i = end;
    } else {
      literal += text[i];
      i++;
    }
  }
  if (literal) parts.push(literal);
  if (parts.length === 1 && typeof parts[0] !== "string") return parts[0];
  return simplify(parts);
}

// ------------------------------------------------------------- references

/** Every reference in an expression, with resource paths cut at the name. */
export function references(expr: Expr): Reference[] {
  const found: Reference[] = [];
  const walk = (e: Expr): void => {
    switch (e.kind) {
      case "literal":
        return;
      case "template":
        e.parts.forEach((p) => typeof p !== "string" && walk(p));
        return;
      case "call":
        e.args.forEach(walk);
        return;
      case "binary":
        walk(e.left);
        walk(e.right);
        return;
      case "unary":
        walk(e.operand);
        return;
      case "list":
        e.items.forEach(walk);
        return;
      case "conditional":
        walk(e.test);
        walk(e.then);
        walk(e.otherwise);
        return;
      case "ref":
        e.steps.forEach((s) => typeof s === "object" && walk(s));
        found.push(toReference(e));
    }
  };
  walk(expr);
  return found;
}

function staticSteps(e: Extract<Expr, { kind: "ref" }>): PathStep[] {
  return e.steps.map((s) => {
    if (typeof s === "object") {
      throw new ExpressionError(
        `computed index in a reference to ${e.root} is not supported`,
      );
    }
    return s;
  });
}

function toReference(e: Extract<Expr, { kind: "ref" }>): Reference {
  const steps = staticSteps(e);
  if (e.root === "var" || e.root === "local") {
    if (typeof steps[0] !== "string") {
      throw new ExpressionError(`'${e.root}' must be followed by a name`);
    }
    return { kind: e.root, name: steps[0] };
  }
  if (e.root === "self") return { kind: "self", path: steps };
  if (RESERVED_ROOTS.has(e.root)) {
    throw new ExpressionError(
      `references to '${e.root}.*' are not supported by the rehearsal`,
    );
  }
  if (typeof steps[0] !== "string") {
    throw new ExpressionError(
      `reference '${e.root}' must name a resource: <type>.<name>.<attribute>`,
    );
  }
  return {
    kind: "resource",
    address: `${e.root}.${steps[0]}`,
    path: steps.slice(1),
  };
}

// ------------------------------------------------------------- evaluation

export function evaluate(expr: Expr, scope: Scope): Resolved {
  let sensitive = false;
  const mark = (r: Resolved): unknown => {
    sensitive = sensitive || r.sensitive;
    return r.value;
  };

  const ev = (e: Expr): unknown => {
    switch (e.kind) {
      case "literal":
        return e.value;
      case "list":
        return e.items.map(ev);
      case "template": {
        const values = e.parts.map((p) => (typeof p === "string" ? p : ev(p)));
        const unknown = values.find(isUnknown);
        if (unknown) return unknown;
        return values.map((v) => templateString(v)).join("");
      }
      case "ref": {
        const ref = toReference(e);
        if (ref.kind === "var") return mark(scope.variable(ref.name));
        if (ref.kind === "local") return mark(scope.local(ref.name));
        if (ref.kind === "self") return mark(scope.self(ref.path));
        return mark(scope.resource(ref.address, ref.path));
      }
      case "call": {
        const fn = FUNCTIONS[e.name];
        if (!fn) {
          throw new ExpressionError(
            `function ${e.name}() is not supported by the rehearsal (supported: ${Object.keys(FUNCTIONS).join(", ") || "none"})`,
          );
        }
        const args = e.args.map(ev);
        const unknown = args.find(isUnknown);
        return unknown ?? fn(args);
      }
      case "unary": {
        const v = ev(e.operand);
        if (isUnknown(v)) return v;
        if (e.op === "!") return !asBool(v);
        return -asNumber(v);
      }
      case "conditional": {
        const test = ev(e.test);
        if (isUnknown(test)) return test;
        return asBool(test) ? ev(e.then) : ev(e.otherwise);
      }
      case "binary":
        return binary(e.op, ev(e.left), ev(e.right));
    }
  };

  const value = ev(expr);
  return { value, sensitive };
}

function templateString(v: unknown): string {
  if (v === null || v === undefined) {
    throw new ExpressionError("cannot interpolate a null value into a string");
  }
  if (typeof v === "object") {
    throw new ExpressionError(
      `cannot interpolate a ${Array.isArray(v) ? "list" : "object"} into a string`,
    );
  }
  return String(v);
}

function asBool(v: unknown): boolean {
  if (typeof v === "boolean") return v;
  if (v === "true" || v === "false") return v === "true";
  throw new ExpressionError(`expected a bool, got ${JSON.stringify(v)}`);
}

function asNumber(v: unknown): number {
  const n = typeof v === "string" ? Number(v) : v;
  if (typeof n !== "number" || Number.isNaN(n)) {
    throw new ExpressionError(`expected a number, got ${JSON.stringify(v)}`);
  }
  return n;
}

function binary(op: string, l: unknown, r: unknown): unknown {
  if (isUnknown(l)) return l;
  if (isUnknown(r)) return r;
  switch (op) {
    case "==":
      return equal(l, r);
    case "!=":
      return !equal(l, r);
    case "&&":
      return asBool(l) && asBool(r);
    case "||":
      return asBool(l) || asBool(r);
    case "<":
      return asNumber(l) < asNumber(r);
    case ">":
      return asNumber(l) > asNumber(r);
    case "<=":
      return asNumber(l) <= asNumber(r);
    case ">=":
      return asNumber(l) >= asNumber(r);
    case "+":
      return asNumber(l) + asNumber(r);
    case "-":
      return asNumber(l) - asNumber(r);
    case "*":
      return asNumber(l) * asNumber(r);
    case "/":
      return asNumber(l) / asNumber(r);
    case "%":
      return asNumber(l) % asNumber(r);
  }
  throw new ExpressionError(`operator ${op} is not supported`);
}

/** HCL compares values of different types as unequal (`"0" != 0`). */
function equal(l: unknown, r: unknown): boolean {
  return JSON.stringify(l) === JSON.stringify(r);
}

function isTemplate(text: string): boolean {
  return text.includes("${") || text.includes("%{");
}

/** Every reference in a JSON attribute value (strings are templates). */
export function valueReferences(value: unknown): Reference[] {
  if (typeof value === "string") {
    return isTemplate(value) ? references(parseTemplate(value)) : [];
  }
  if (Array.isArray(value)) return value.flatMap(valueReferences);
  if (value && typeof value === "object") {
    return Object.values(value).flatMap(valueReferences);
  }
  return [];
}

/** Evaluates every string of a JSON attribute value as a template. */
export function resolveValue(value: unknown, scope: Scope): Resolved {
  if (typeof value === "string") {
    return isTemplate(value)
      ? evaluate(parseTemplate(value), scope)
      : { value, sensitive: false };
  }
  if (Array.isArray(value)) {
    const items = value.map((v) => resolveValue(v, scope));
    return {
      value: items.map((i) => i.value),
      sensitive: items.some((i) => i.sensitive),
    };
  }
  if (value && typeof value === "object") {
    const entries = Object.entries(value).map(
      ([k, v]) => [k, resolveValue(v, scope)] as const,
    );
    return {
      value: Object.fromEntries(entries.map(([k, r]) => [k, r.value])),
      sensitive: entries.some(([, r]) => r.sensitive),
    };
  }
  return { value, sensitive: false };
}

/** True when a resolved value contains a value known only after apply. */
export function containsUnknown(value: unknown): boolean {
  if (isUnknown(value)) return true;
  if (Array.isArray(value)) return value.some(containsUnknown);
  if (value && typeof value === "object") {
    return Object.values(value).some(containsUnknown);
  }
  return false;
}
