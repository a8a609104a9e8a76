"""Turn ``results.json`` into the targets verdict, a Markdown report and a chart.

Nothing here measures: it reads the dictionary the runner wrote, so the report
can be regenerated from a saved run with ``python -m bench.report FILE``.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bench.chart import LoadPoint, latency_chart

CHART_NAME = "latency.svg"
MIN_PUBLISHED_EVENTS = 1_000_000


@dataclass(frozen=True)
class Target:
    """One target of the issue and where this run stands against it."""

    key: str
    text: str
    measured: str
    met: bool | None
    note: str = ""

    @property
    def verdict(self) -> str:
        return {True: "met", False: "missed", None: "not measured"}[self.met]


def _get(data: Mapping[str, Any], *path: str) -> Any:
    for key in path:
        if not isinstance(data, Mapping) or key not in data:
            return None
        data = data[key]
    return data


def _point_at(results: Mapping[str, Any], fraction: float) -> Mapping[str, Any] | None:
    points = _get(results, "offered_load", "points") or []
    if not points:
        return None
    return min(points, key=lambda p: abs(p["fraction"] - fraction))


def evaluate_targets(results: Mapping[str, Any]) -> list[Target]:
    """Compare the measured figures with the targets of the issue."""
    targets = []

    point = _point_at(results, 0.7)
    if point is None:
        targets.append(
            Target("decision_p99", "decision p99 <= 20 ms at 70% of peak", "-", None)
        )
    else:
        p99 = point["result"]["p99"]
        targets.append(
            Target(
                "decision_p99",
                "decision p99 <= 20 ms at 70% of peak",
                f"{p99:.1f} ms at {point['result']['rps']:.0f} req/s"
                f" ({point['fraction']:.0%} of {results['offered_load']['peak_rps']:.0f})",
                p99 <= 20.0,
            )
        )

    ratio = _get(results, "decisions", "ratio")
    targets.append(
        Target(
            "decision_ratio",
            "decision throughput >= 50% of the health ceiling",
            "-"
            if ratio is None
            else f"{ratio:.0%} ({results['decisions']['peak_rps']:.0f}"
            f" vs {results['decisions']['health_ceiling_rps']:.0f} req/s)",
            None if ratio is None else ratio >= 0.5,
        )
    )

    events = _get(results, "events")
    if not events:
        targets.append(
            Target("events_p99", "events p99 <= 50 ms with 1M events", "-", None)
        )
    else:
        p99 = events["result"]["p99"]
        count = events["events_in_log"]
        small = count < MIN_PUBLISHED_EVENTS
        targets.append(
            Target(
                "events_p99",
                "events p99 <= 50 ms with 1M events",
                f"{p99:.1f} ms over {count:,} events",
                p99 <= 50.0,
                "log smaller than 1M events: not the published figure" if small else "",
            )
        )

    warm = _get(results, "delivery", "build_warm_s")
    targets.append(
        Target(
            "warm_rebuild",
            "warm rebuild <= 10 s",
            "-" if warm is None else f"{warm:.1f} s",
            None if warm is None else warm <= 10.0,
        )
    )

    start = _get(results, "delivery", "api_start_to_healthy_s")
    targets.append(
        Target(
            "api_start",
            "API start to healthy <= 5 s",
            "-" if start is None else f"{start:.1f} s",
            None if start is None else start <= 5.0,
        )
    )

    replaced = _get(results, "delivery", "redeploy_replaced")
    targets.append(
        Target(
            "noop_redeploy",
            "a no-change redeploy replaces nothing",
            "-" if replaced is None else (", ".join(replaced) or "nothing replaced"),
            None if replaced is None else not replaced,
        )
    )
    return targets


def _ms(value: float) -> str:
    return f"{value:.1f}"


def _seconds(value: Any) -> str:
    return "-" if value is None else f"{value:.1f} s"


def _mib(value: Any) -> str:
    return "-" if value is None else f"{value / 2**20:.0f} MiB"


def _load_row(label: str, r: Mapping[str, Any]) -> str:
    return (
        f"| {label} | {r['connections']} | {r['rps']:.0f} | {_ms(r['p50'])} |"
        f" {_ms(r['p95'])} | {_ms(r['p99'])} | {r['error_count']} |"
    )


LOAD_HEADER = (
    "| run | connections | req/s | p50 ms | p95 ms | p99 ms | errors |\n"
    "|---|---:|---:|---:|---:|---:|---:|"
)


def chart_svg(results: Mapping[str, Any]) -> str | None:
    offered = results.get("offered_load") or {}
    points = [
        LoadPoint(
            p["result"]["rps"],
            p["result"]["p50"],
            p["result"]["p95"],
            p["result"]["p99"],
        )
        for p in offered.get("points", [])
    ]
    if not points:
        return None
    peak = offered["peak_rps"]
    return latency_chart(
        points,
        title="POST /v1/decisions: latency against offered load"
        + (" (quick run)" if results.get("mode") == "quick" else ""),
        target_ms=20.0,
        marker_rps=0.7 * peak,
        marker_label="70% of peak",
    )


def render_markdown(results: Mapping[str, Any], targets: list[Target]) -> str:
    quick = results.get("mode") == "quick"
    machine = results.get("machine", {})
    limits = results.get("limits", {})
    out = ["# Smart Access benchmark" + (" (quick run)" if quick else ""), ""]
    if quick:
        out += [
            "> Quick mode: smaller data, fewer load levels and short runs. Every figure"
            " is computed, but none of them is the published one.",
            "",
        ]

    out += [
        f"Run of {results.get('started_at', '-')}, {results.get('duration_s', 0):.0f} s"
        f" in all, on {machine.get('cpus', '?')} CPUs ({machine.get('cpu_model', '?')}),"
        f" {machine.get('memory_gib', 0):.1f} GiB RAM, Docker {machine.get('docker', '?')}."
        " wrk runs on the same machine as the containers and competes with them for CPU.",
        "",
        "| container | CPU limit | memory limit |",
        "|---|---:|---:|",
    ]
    for name, limit in limits.items():
        out.append(
            f"| {name} | {limit.get('cpus') or 'none'} | {limit.get('memory') or 'none'} |"
        )
    deployment = results.get("deployment", {})
    if deployment:
        out += [
            "",
            f"API processes: {deployment.get('workers', '?')} {deployment.get('worker_class', '?')}"
            f" workers x {deployment.get('threads', '?')} threads.",
        ]

    out += ["", "## Targets", "", "| target | measured | verdict |", "|---|---|---|"]
    for t in targets:
        note = f" ({t.note})" if t.note else ""
        out.append(f"| {t.text} | {t.measured}{note} | **{t.verdict}** |")

    data = results.get("data")
    if data:
        out += [
            "",
            "## Data",
            "",
            f"{data['people']:,} people, {data['credentials']:,} credentials,"
            f" {data['doors']} doors over {data['sites']} sites"
            f" ({', '.join(data.get('timezones', []))}), {data['access_groups']}"
            f" access groups with {data['time_frames']} time frames and"
            f" {data['holidays']} holidays, {data['events']:,} events"
            f" (loaded in {_seconds(data.get('load_s'))}).",
        ]

    decisions = results.get("decisions")
    if decisions:
        out += [
            "",
            "## Decisions next to the health endpoint",
            "",
            "Each level runs `GET /health/live` and then `POST /v1/decisions` on the"
            " same server, one after the other.",
            "",
            LOAD_HEADER,
        ]
        for level in decisions["levels"]:
            out.append(_load_row("health", level["health"]))
            out.append(_load_row("decisions", level["decision"]))
        out += [
            "",
            f"Peak decisions: {decisions['peak_rps']:.0f} req/s; health ceiling:"
            f" {decisions['health_ceiling_rps']:.0f} req/s; ratio"
            f" **{decisions['ratio']:.0%}**.",
        ]

    offered = results.get("offered_load")
    if offered and offered.get("points"):
        out += [
            "",
            "## Latency against offered load",
            "",
            f"Paced load at fractions of the peak ({offered['peak_rps']:.0f} req/s),"
            f" {offered['points'][0]['result']['connections']} connections.",
            "",
            f"![latency against offered load]({CHART_NAME})",
            "",
            "| fraction of peak | target req/s | " + LOAD_HEADER.split("\n")[0][2:],
            "|---:|---:|" + LOAD_HEADER.split("\n")[1][1:],
        ]
        for p in offered["points"]:
            row = _load_row("decisions", p["result"])
            out.append(f"| {p['fraction']:.0%} | {p['target_rps']:.0f} {row}")

    workers = results.get("workers")
    if workers:
        out += [
            "",
            "## Worker settings",
            "",
            LOAD_HEADER.replace("| run |", "| settings |"),
        ]
        for key in ("original", "defaults"):
            w = workers[key]
            out.append(_load_row(w["label"], w["result"]))
        out += [
            "",
            f"Throughput of the project defaults over the original settings:"
            f" **{workers['ratio']:.2f}x**; the winner is {workers['winner']}.",
        ]

    events = results.get("events")
    if events:
        out += [
            "",
            "## Event log queries",
            "",
            f"`GET /v1/events` with {events['queries']} filter and page combinations"
            f" over {events['events_in_log']:,} events.",
            "",
            LOAD_HEADER,
            _load_row("events", events["result"]),
        ]

    delivery = results.get("delivery")
    if delivery:
        out += [
            "",
            "## Delivery",
            "",
            "| figure | value |",
            "|---|---:|",
            f"| `cdktf synth`, both stacks | {_seconds(delivery.get('synth_s'))} |",
            f"| image build, cold | {_seconds(delivery.get('build_cold_s'))} |",
            f"| image build, warm after a one-line change | {_seconds(delivery.get('build_warm_s'))} |",
            f"| API image size | {_mib(delivery.get('image_bytes'))} |",
            f"| base image size | {_mib(delivery.get('base_image_bytes'))} |",
            f"| PostgreSQL first boot to healthy | {_seconds(delivery.get('postgres_to_healthy_s'))} |",
            f"| API container start to healthy | {_seconds(delivery.get('api_start_to_healthy_s'))} |",
            f"| API container start to first ready answer | {_seconds(delivery.get('api_start_to_ready_s'))} |",
            f"| whole deploy | {_seconds(delivery.get('deploy_s'))} |",
            f"| no-change redeploy | {_seconds(delivery.get('redeploy_s'))} |",
        ]
        phases = delivery.get("api_start_phases")
        if phases:
            steps = ", ".join(
                f"{label} at {value:.1f} s" for label, value in phases.items()
            )
            out += ["", f"API start, from the container's start: {steps}."]
        if "dependency_layer_reused" in delivery:
            reused = "reused" if delivery["dependency_layer_reused"] else "NOT reused"
            out += ["", f"The warm build {reused} the dependency layers."]

    profile = results.get("profile")
    if profile:
        out += ["", "## Where the time goes", "", profile.get("summary", ""), ""]
        if profile.get("top"):
            out += ["| package on the stack | share of samples |", "|---|---:|"]
            for name, share in profile["top"]:
                out.append(f"| `{name}` | {share:.0%} |")
        if profile.get("leaves"):
            out += ["", "| innermost frame | share of samples |", "|---|---:|"]
            for name, share in profile["leaves"]:
                out.append(f"| `{name}` | {share:.0%} |")

    return "\n".join(out) + "\n"


def write_report(results: dict[str, Any], directory: Path) -> list[Target]:
    """Add the targets to ``results`` and write the JSON, Markdown and SVG."""
    targets = evaluate_targets(results)
    results["targets"] = [asdict(t) | {"verdict": t.verdict} for t in targets]
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    svg = chart_svg(results)
    if svg is not None:
        (directory / CHART_NAME).write_text(svg)
    (directory / "report.md").write_text(render_markdown(results, targets))
    return targets


def main(argv: list[str]) -> int:
    path = Path(argv[0]) if argv else Path(__file__).parent / "results.json"
    results = json.loads(path.read_text())
    for t in write_report(results, path.parent):
        print(f"{t.verdict:>12}  {t.text}: {t.measured}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
