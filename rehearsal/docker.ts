/**
 * A minimal Docker Engine API client over the local socket, the same API the
 * docker provider calls, plus the docker CLI for builds and logs.
 */
import { spawn } from "node:child_process";
import * as http from "node:http";
import { RehearsalError } from "./errors";

export class DockerApiError extends RehearsalError {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface DockerClient {
  readonly host: string;
  request<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<T>;
  /** Runs the docker CLI against the same host; resolves with its output. */
  cli(
    args: string[],
    options?: { cwd?: string; env?: NodeJS.ProcessEnv },
  ): Promise<CliResult>;
}

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout and stderr interleaved in the order they arrived. */
  readonly combined: string;
}

/** Pinned to the API version of the oldest engine this project supports. */
const API_VERSION = "v1.41";

export function dockerClient(host: string): DockerClient {
  const match = /^unix:\/\/(\/.+)$/.exec(host);
  if (!match) {
    // Known limit: only unix:// hosts; ssh:// and tcp:// need real Terraform.
    throw new RehearsalError(
      `docker provider host ${JSON.stringify(host)} is not supported by the rehearsal; it accepts unix:///path/to/docker.sock`,
    );
  }
  const socketPath = match[1];

  const request = <T>(method: string, path: string, body?: unknown) =>
    new Promise<T>((resolve, reject) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const req = http.request(
        {
          socketPath,
          method,
          path: `/${API_VERSION}${path}`,
          headers: payload
            ? {
                "Content-Type": "application/json",
                "Content-Length": Buffer.byteLength(payload),
              }
            : {},
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => {
            const text = Buffer.concat(chunks).toString("utf8");
            const status = res.statusCode ?? 0;
            if (status >= 400) {
              let message = text.trim();
              try {
                message = (JSON.parse(text) as { message: string }).message;
              } catch {
                // a non-JSON error body is reported as it came
              }
              reject(new DockerApiError(status, message));
              return;
            }
            try {
              resolve((text ? JSON.parse(text) : undefined) as T);
            } catch {
              resolve(text as T);
            }
          });
        },
      );
      req.on("error", (err) =>
        reject(
          new RehearsalError(
            `cannot reach the Docker engine at ${host}: ${err.message}; run scripts/ensure-docker.sh`,
          ),
        ),
      );
      if (payload) req.write(payload);
      req.end();
    });

  const cli = (
    args: string[],
    options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
  ) =>
    new Promise<CliResult>((resolve, reject) => {
      const child = spawn("docker", args, {
        cwd: options.cwd,
        env: { ...process.env, ...options.env, DOCKER_HOST: host },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let stdout = "";
      let stderr = "";
      let combined = "";
      child.stdout.on("data", (c: Buffer) => {
        stdout += c.toString();
        combined += c.toString();
      });
      child.stderr.on("data", (c: Buffer) => {
        stderr += c.toString();
        combined += c.toString();
      });
      child.on("error", (err) =>
        reject(new RehearsalError(`cannot run the docker CLI: ${err.message}`)),
      );
      child.on("close", (code) =>
        resolve({ code: code ?? 1, stdout, stderr, combined }),
      );
    });

  return { host, request, cli };
}

/** True for a 404 from the engine: the object is gone. */
export function isNotFound(err: unknown): boolean {
  return err instanceof DockerApiError && err.status === 404;
}

/** The last `lines` lines of a container's output, stdout and stderr merged. */
export async function containerLogTail(
  docker: DockerClient,
  container: string,
  lines = 20,
): Promise<string> {
  const res = await docker.cli(["logs", "--tail", String(lines), container]);
  return res.combined.trimEnd();
}

/** DELETE that treats an object already gone as deleted. */
export async function removeIfPresent(
  docker: DockerClient,
  path: string,
): Promise<void> {
  try {
    await docker.request("DELETE", path);
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}

/** The refresh check: does the engine still have the object at `path`? */
export async function objectExists(
  docker: DockerClient,
  path: string,
): Promise<boolean> {
  try {
    await docker.request("GET", path);
    return true;
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
}
