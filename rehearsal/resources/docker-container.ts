/**
 * docker_container (kreuzwerker/docker 3.6.2) through the Engine API, in the
 * provider's order: create on the default bridge, disconnect it when
 * networks_advanced is set, connect those networks, start, then attach
 * (run to completion) or wait for health.
 *
 * Change rules, as in 3.6.2: restart, max_retry_count, cpu_shares, memory,
 * memory_swap and cpu_set are updated in place (`docker update`);
 * destroy_grace_seconds, must_run, wait, wait_timeout, remove_volumes and
 * healthcheck update the state only — for healthcheck that is the
 * provider's known no-op, so the running container keeps its old check.
 * Any other change replaces the container.
 */
import { DockerClient, isNotFound } from "../docker";
import {
  ApplyError,
  PartialCreate,
  Problem,
  unsupportedValue,
} from "../errors";
import { isUnknown } from "../expressions";
import { block, blocks, bool, list, map, num, set, str } from "../schema";
import { LABEL_SCHEMA, labelMap } from "./labels";
import { Desired, Outputs, ResourceHandler } from "./types";

type Attrs = Readonly<Record<string, unknown>>;

interface Port {
  internal: number;
  external?: number;
  ip?: string;
  protocol?: string;
}
interface Network {
  name: string;
  aliases?: string[];
  ipv4_address?: string;
}
interface Volume {
  volume_name?: string;
  host_path?: string;
  container_path?: string;
  read_only?: boolean;
  from_container?: string;
}
interface Mount {
  target: string;
  source?: string;
  type: string;
  read_only?: boolean;
  tmpfs_options?: { size_bytes?: number; mode?: number };
  bind_options?: { propagation?: string };
  volume_options?: { no_copy?: boolean };
}
interface Healthcheck {
  test: string[];
  interval?: string;
  timeout?: string;
  start_period?: string;
  start_interval?: string;
  retries?: number;
}

interface ContainerInspect {
  Id: string;
  State: {
    Status: string;
    Running: boolean;
    ExitCode: number;
    Health?: { Status: string };
  };
  NetworkSettings: {
    Networks: Record<
      string,
      {
        IPAddress: string;
        IPPrefixLen: number;
        Gateway: string;
        MacAddress: string;
      }
    >;
  };
}

const MB = 1024 * 1024;
const UPDATED_BY_ENGINE = [
  "restart",
  "max_retry_count",
  "cpu_shares",
  "memory",
  "memory_swap",
  "cpu_set",
];
const STATE_ONLY = [
  "destroy_grace_seconds",
  "must_run",
  "wait",
  "wait_timeout",
  "remove_volumes",
  "healthcheck",
];

/** Go duration strings ("1s", "500ms", "1m30s") in nanoseconds. */
export function durationNs(text: string): number {
  const units: Record<string, number> = {
    ns: 1,
    us: 1e3,
    ms: 1e6,
    s: 1e9,
    m: 60e9,
    h: 3600e9,
  };
  if (text === "0") return 0;
  const re = /(\d+(?:\.\d+)?)(ns|us|ms|s|m|h)/gy;
  let total = 0;
  let consumed = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    total += Number(m[1]) * units[m[2]];
    consumed = re.lastIndex;
  }
  if (consumed !== text.length || text.length === 0) {
    throw new Error(`not a duration: ${JSON.stringify(text)}`);
  }
  return Math.round(total);
}

/** The Engine API body for `POST /containers/create` (pure, for tests). */
export function createBody(a: Attrs): Record<string, unknown> {
  const exposed: Record<string, object> = {};
  const bindings: Record<string, { HostIp: string; HostPort: string }[]> = {};
  for (const p of (a.ports as Port[] | undefined) ?? []) {
    const key = `${p.internal}/${p.protocol ?? "tcp"}`;
    exposed[key] = {};
    (bindings[key] ??= []).push({
      HostIp: p.ip ?? "0.0.0.0",
      HostPort: p.external === undefined ? "" : String(p.external),
    });
  }

  const binds: string[] = [];
  const anonymous: Record<string, object> = {};
  const volumesFrom: string[] = [];
  for (const v of (a.volumes as Volume[] | undefined) ?? []) {
    if (v.from_container) volumesFrom.push(v.from_container);
    const source = v.volume_name ?? v.host_path;
    if (source && v.container_path) {
      binds.push(`${source}:${v.container_path}${v.read_only ? ":ro" : ""}`);
    } else if (v.container_path) {
      anonymous[v.container_path] = {};
    }
  }

  const mounts = ((a.mounts as Mount[] | undefined) ?? []).map((m) => ({
    Target: m.target,
    Source: m.source ?? "",
    Type: m.type,
    ReadOnly: m.read_only ?? false,
    ...(m.tmpfs_options
      ? {
          TmpfsOptions: {
            SizeBytes: m.tmpfs_options.size_bytes,
            Mode: m.tmpfs_options.mode,
          },
        }
      : {}),
    ...(m.bind_options
      ? { BindOptions: { Propagation: m.bind_options.propagation } }
      : {}),
    ...(m.volume_options
      ? { VolumeOptions: { NoCopy: m.volume_options.no_copy ?? false } }
      : {}),
  }));

  const hc = a.healthcheck as Healthcheck | undefined;
  const caps = a.capabilities as
    | { add?: string[]; drop?: string[] }
    | undefined;
  const restart = String(a.restart ?? "no");

  return {
    Image: a.image,
    Env: a.env ?? [],
    ...(a.command ? { Cmd: a.command } : {}),
    ...(a.entrypoint ? { Entrypoint: a.entrypoint } : {}),
    ...(a.user ? { User: a.user } : {}),
    ...(a.working_dir ? { WorkingDir: a.working_dir } : {}),
    ...(a.hostname ? { Hostname: a.hostname } : {}),
    ...(a.domainname ? { Domainname: a.domainname } : {}),
    ...(a.stop_signal ? { StopSignal: a.stop_signal } : {}),
    ...(a.stop_timeout !== undefined ? { StopTimeout: a.stop_timeout } : {}),
    Labels: labelMap(a.labels),
    ExposedPorts: exposed,
    Volumes: anonymous,
    ...(hc
      ? {
          Healthcheck: {
            Test: hc.test,
            Interval: durationNs(hc.interval ?? "0s"),
            Timeout: durationNs(hc.timeout ?? "0s"),
            StartPeriod: durationNs(hc.start_period ?? "0s"),
            // Sent only when set: engines before API 1.44 refuse it, as
            // they do when the provider sends it.
            ...(hc.start_interval
              ? { StartInterval: durationNs(hc.start_interval) }
              : {}),
            Retries: hc.retries ?? 0,
          },
        }
      : {}),
    HostConfig: {
      Binds: binds,
      Mounts: mounts,
      VolumesFrom: volumesFrom,
      PortBindings: bindings,
      RestartPolicy: {
        Name: restart,
        MaximumRetryCount:
          restart === "on-failure" ? (a.max_retry_count ?? 0) : 0,
      },
      ReadonlyRootfs: a.read_only ?? false,
      Privileged: a.privileged ?? false,
      SecurityOpt: a.security_opts ?? [],
      CapAdd: caps?.add ?? [],
      CapDrop: caps?.drop ?? [],
      Tmpfs: a.tmpfs ?? {},
      ...(a.init !== undefined ? { Init: a.init } : {}),
      AutoRemove: a.rm ?? false,
      NetworkMode: a.network_mode ?? "bridge",
      LogConfig: {
        Type: a.log_driver ?? "json-file",
        Config: a.log_opts ?? {},
      },
      ...(a.shm_size !== undefined ? { ShmSize: Number(a.shm_size) * MB } : {}),
      ...(a.cpu_shares !== undefined ? { CpuShares: a.cpu_shares } : {}),
      ...(a.cpus !== undefined
        ? { NanoCpus: Math.round(Number(a.cpus) * 1e9) }
        : {}),
      ...(a.cpu_set !== undefined ? { CpusetCpus: a.cpu_set } : {}),
      ...(a.memory !== undefined ? { Memory: Number(a.memory) * MB } : {}),
      ...(a.memory_swap !== undefined
        ? {
            MemorySwap:
              Number(a.memory_swap) > 0
                ? Number(a.memory_swap) * MB
                : a.memory_swap,
          }
        : {}),
    },
  };
}

async function inspect(
  docker: DockerClient,
  id: string,
): Promise<ContainerInspect> {
  return docker.request<ContainerInspect>("GET", `/containers/${id}/json`);
}

function networkData(c: ContainerInspect): Outputs[] {
  return Object.entries(c.NetworkSettings.Networks ?? {}).map(([name, n]) => ({
    network_name: name,
    ip_address: n.IPAddress,
    ip_prefix_length: n.IPPrefixLen,
    gateway: n.Gateway,
    mac_address: n.MacAddress,
  }));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitHealthy(
  docker: DockerClient,
  d: Desired,
  id: string,
  name: string,
  outputs: Outputs,
): Promise<void> {
  const timeoutS = Number(d.attrs.wait_timeout ?? 60);
  const deadline = Date.now() + timeoutS * 1000;
  for (;;) {
    const c = await inspect(docker, id);
    if (c.State.Health?.Status === "healthy") return;
    // Deliberate deviation: 3.6.2 keeps polling an exited container until
    // wait_timeout; the rehearsal stops as soon as it has exited.
    if (!c.State.Running && c.State.Status !== "created") {
      throw new PartialCreate(
        d.address,
        `container ${name} exited with code ${c.State.ExitCode} before it became healthy`,
        { ...outputs, exit_code: c.State.ExitCode },
        name,
      );
    }
    if (Date.now() >= deadline) {
      throw new PartialCreate(
        d.address,
        `container ${name} did not become healthy within wait_timeout ${timeoutS}s (health: ${c.State.Health?.Status ?? "no healthcheck"})`,
        outputs,
        name,
      );
    }
    await sleep(500);
  }
}

export const dockerContainer: ResourceHandler = {
  type: "docker_container",
  schema: {
    name: str,
    image: str,
    env: set,
    command: list,
    entrypoint: list,
    user: str,
    working_dir: str,
    hostname: str,
    domainname: str,
    ports: blocks(
      { internal: num, external: num, ip: str, protocol: str },
      false,
    ),
    networks_advanced: blocks({ name: str, aliases: set, ipv4_address: str }),
    volumes: blocks({
      volume_name: str,
      host_path: str,
      container_path: str,
      read_only: bool,
      from_container: str,
    }),
    mounts: blocks({
      target: str,
      source: str,
      type: str,
      read_only: bool,
      tmpfs_options: block({ size_bytes: num, mode: num }),
      bind_options: block({ propagation: str }),
      volume_options: block({ no_copy: bool }),
    }),
    tmpfs: map,
    read_only: bool,
    privileged: bool,
    security_opts: set,
    capabilities: block({ add: set, drop: set }),
    cpu_shares: num,
    cpus: str,
    cpu_set: str,
    memory: num,
    memory_swap: num,
    shm_size: num,
    restart: str,
    max_retry_count: num,
    log_driver: str,
    log_opts: map,
    labels: blocks(LABEL_SCHEMA),
    healthcheck: block({
      test: list,
      interval: str,
      timeout: str,
      start_period: str,
      start_interval: str,
      retries: num,
    }),
    wait: bool,
    wait_timeout: num,
    attach: bool,
    must_run: bool,
    logs: bool,
    rm: bool,
    start: bool,
    init: bool,
    destroy_grace_seconds: num,
    stop_signal: str,
    stop_timeout: num,
    network_mode: str,
    remove_volumes: bool,
  },
  computed: ["id", "exit_code", "container_logs", "network_data", "bridge"],
  inPlace: [...UPDATED_BY_ENGINE, ...STATE_ONLY],

  validate(address, attrs) {
    const problems: Problem[] = [];
    const restart = attrs.restart;
    const policies = ["no", "on-failure", "always", "unless-stopped"];
    if (typeof restart === "string" && !policies.includes(restart)) {
      problems.push(
        unsupportedValue(address, "restart", restart, policies.join(", ")),
      );
    }
    const hc = attrs.healthcheck as Record<string, unknown> | undefined;
    for (const key of [
      "interval",
      "timeout",
      "start_period",
      "start_interval",
    ]) {
      const v = hc?.[key];
      if (typeof v === "string") {
        try {
          durationNs(v);
        } catch {
          problems.push(
            unsupportedValue(
              address,
              `healthcheck.${key}`,
              v,
              'a Go duration such as "5s" or "1m30s"',
            ),
          );
        }
      }
    }
    for (const m of (attrs.mounts as Mount[] | undefined) ?? []) {
      if (!["volume", "bind", "tmpfs"].includes(m.type)) {
        problems.push(
          unsupportedValue(
            address,
            "mounts.type",
            m.type,
            "volume, bind or tmpfs",
          ),
        );
      }
    }
    if (attrs.attach === true && attrs.wait === true) {
      problems.push(
        unsupportedValue(address, "wait", true, "false when attach is true"),
      );
    }
    if (
      attrs.cpus !== undefined &&
      !isUnknown(attrs.cpus) &&
      isNaN(Number(attrs.cpus))
    ) {
      problems.push(
        unsupportedValue(
          address,
          "cpus",
          attrs.cpus,
          'a decimal number of CPUs such as "1.5"',
        ),
      );
    }
    return problems;
  },

  async create(ctx, d) {
    const docker = ctx.docker();
    const a = d.attrs;
    const name = String(a.name);
    const created = await docker.request<{ Id: string }>(
      "POST",
      `/containers/create?name=${encodeURIComponent(name)}`,
      createBody(a),
    );
    const id = created.Id;
    let outputs: Outputs = {
      id,
      exit_code: null,
      container_logs: null,
      network_data: [],
      bridge: "",
    };

    try {
      const networks = (a.networks_advanced as Network[] | undefined) ?? [];
      if (networks.length > 0 && (a.network_mode ?? "bridge") === "bridge") {
        await docker.request("POST", "/networks/bridge/disconnect", {
          Container: id,
          Force: false,
        });
      }
      for (const n of networks) {
        await docker.request(
          "POST",
          `/networks/${encodeURIComponent(n.name)}/connect`,
          {
            Container: id,
            EndpointConfig: {
              Aliases: n.aliases ?? [],
              ...(n.ipv4_address
                ? { IPAMConfig: { IPv4Address: n.ipv4_address } }
                : {}),
            },
          },
        );
      }
    } catch (err) {
      throw new PartialCreate(
        d.address,
        `cannot attach networks: ${(err as Error).message}`,
        outputs,
        name,
      );
    }

    if (a.start === false) return outputs;
    try {
      await docker.request("POST", `/containers/${id}/start`);
    } catch (err) {
      throw new PartialCreate(
        d.address,
        `cannot start container ${name}: ${(err as Error).message}`,
        outputs,
        name,
      );
    }

    if (a.attach === true) {
      const waited = await docker.request<{ StatusCode: number }>(
        "POST",
        `/containers/${id}/wait?condition=${a.rm ? "removed" : "not-running"}`,
      );
      outputs = { ...outputs, exit_code: waited.StatusCode };
      if (a.logs === true && !a.rm) {
        const logs = await docker.cli(["logs", id]);
        outputs = { ...outputs, container_logs: logs.combined };
      }
      return outputs;
    }

    if (a.wait === true) await waitHealthy(docker, d, id, name, outputs);

    const c = await inspect(docker, id);
    if ((a.must_run ?? true) && !c.State.Running) {
      throw new PartialCreate(
        d.address,
        `container ${name} is not running (exit code ${c.State.ExitCode}); must_run is true`,
        { ...outputs, exit_code: c.State.ExitCode },
        name,
      );
    }
    return { ...outputs, network_data: networkData(c) };
  },

  async update(ctx, d, previous, changed) {
    if (changed.some((c) => UPDATED_BY_ENGINE.includes(c))) {
      const a = d.attrs;
      const restart = String(a.restart ?? "no");
      await ctx
        .docker()
        .request("POST", `/containers/${previous.outputs.id}/update`, {
          RestartPolicy: {
            Name: restart,
            MaximumRetryCount:
              restart === "on-failure" ? (a.max_retry_count ?? 0) : 0,
          },
          CpuShares: a.cpu_shares ?? 0,
          Memory: Number(a.memory ?? 0) * MB,
          MemorySwap:
            Number(a.memory_swap ?? 0) > 0
              ? Number(a.memory_swap) * MB
              : (a.memory_swap ?? 0),
          CpusetCpus: a.cpu_set ?? "",
        });
    }
    return previous.outputs;
  },

  async destroy(ctx, address, entry) {
    const docker = ctx.docker();
    const id = String(entry.outputs.id);
    const grace = Number(entry.attributes.destroy_grace_seconds?.value ?? 0);
    const removeVolumes = entry.attributes.remove_volumes?.value !== false;
    try {
      await docker.request("POST", `/containers/${id}/stop?t=${grace}`);
    } catch (err) {
      if (isNotFound(err)) return;
      // 304: already stopped, which is what we want.
      if (!String((err as Error).message).includes("already")) {
        if ((err as { status?: number }).status !== 304) throw err;
      }
    }
    try {
      await docker.request(
        "DELETE",
        `/containers/${id}?force=true&v=${removeVolumes}`,
      );
    } catch (err) {
      if (isNotFound(err)) return;
      // An rm=true container may still be removing itself.
      if (String((err as Error).message).includes("in progress")) return;
      throw new ApplyError(
        address,
        `cannot remove container: ${(err as Error).message}`,
      );
    }
  },

  async exists(ctx, entry) {
    // An rm=true one-shot removes itself; its absence is its normal state.
    if (entry.attributes.rm?.value === true) return true;
    try {
      await inspect(ctx.docker(), String(entry.outputs.id));
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  },
};
