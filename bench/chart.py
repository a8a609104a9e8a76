"""An SVG line chart of latency percentiles against offered load.

Written by hand so that the bench needs no plotting library; the output is a
small standalone SVG that renders the same in a browser and on a forge.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

WIDTH, HEIGHT = 720, 420
LEFT, RIGHT, TOP, BOTTOM = 70, 150, 40, 60
SERIES = (("p50", "#1b9e77"), ("p95", "#d95f02"), ("p99", "#7570b3"))


@dataclass(frozen=True)
class LoadPoint:
    """Latency percentiles in milliseconds measured at one offered load."""

    rps: float
    p50: float
    p95: float
    p99: float


def nice_step(span: float, ticks: int = 5) -> float:
    """A round tick step (1, 2 or 5 times a power of ten) covering ``span``."""
    if span <= 0:
        return 1.0
    raw = span / ticks
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if raw <= factor * power:
            return factor * power
    return 10 * power


def _ticks(upper: float) -> list[float]:
    step = nice_step(upper)
    count = math.ceil(upper / step - 1e-9)
    return [i * step for i in range(count + 1)]


def _label(value: float) -> str:
    return f"{value:g}" if value < 10_000 else f"{value / 1000:g}k"


def latency_chart(
    points: Sequence[LoadPoint],
    *,
    title: str,
    target_ms: float | None = None,
    marker_rps: float | None = None,
    marker_label: str = "",
) -> str:
    """Render ``points`` (any order) as an SVG document.

    ``target_ms`` draws a dashed horizontal line at a latency target and
    ``marker_rps`` a dotted vertical line at one offered load, so a reader sees
    at a glance whether the curve stays under the target there.
    """
    if not points:
        raise ValueError("latency_chart needs at least one point")
    points = sorted(points, key=lambda p: p.rps)

    top_latency = max([p.p99 for p in points] + [target_ms or 0])
    x_ticks = _ticks(max(p.rps for p in points + [LoadPoint(marker_rps or 0, 0, 0, 0)]))
    y_ticks = _ticks(top_latency * 1.05)
    x_max, y_max = x_ticks[-1] or 1.0, y_ticks[-1] or 1.0
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(value: float) -> float:
        return LEFT + value / x_max * plot_w

    def y(value: float) -> float:
        return TOP + plot_h - value / y_max * plot_h

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}"'
        f' viewBox="0 0 {WIDTH} {HEIGHT}" font-family="sans-serif" font-size="12">',
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>',
        f'<text x="{WIDTH / 2:.1f}" y="22" text-anchor="middle" font-size="15">'
        f"{escape(title)}</text>",
    ]

    for tick in x_ticks:
        out.append(
            f'<line x1="{x(tick):.1f}" y1="{TOP}" x2="{x(tick):.1f}"'
            f' y2="{TOP + plot_h}" stroke="#e5e5e5"/>'
            f'<text x="{x(tick):.1f}" y="{TOP + plot_h + 18}"'
            f' text-anchor="middle">{_label(tick)}</text>'
        )
    for tick in y_ticks:
        out.append(
            f'<line x1="{LEFT}" y1="{y(tick):.1f}" x2="{LEFT + plot_w}"'
            f' y2="{y(tick):.1f}" stroke="#e5e5e5"/>'
            f'<text x="{LEFT - 8}" y="{y(tick) + 4:.1f}"'
            f' text-anchor="end">{_label(tick)}</text>'
        )
    out.append(
        f'<rect x="{LEFT}" y="{TOP}" width="{plot_w}" height="{plot_h}"'
        ' fill="none" stroke="#555555"/>'
        f'<text x="{LEFT + plot_w / 2:.1f}" y="{HEIGHT - 18}" text-anchor="middle">'
        "offered load (requests/s achieved)</text>"
        f'<text x="18" y="{TOP + plot_h / 2:.1f}" text-anchor="middle"'
        f' transform="rotate(-90 18 {TOP + plot_h / 2:.1f})">latency (ms)</text>'
    )

    if target_ms is not None:
        out.append(
            f'<line x1="{LEFT}" y1="{y(target_ms):.1f}" x2="{LEFT + plot_w}"'
            f' y2="{y(target_ms):.1f}" stroke="#c00000" stroke-dasharray="6 4"/>'
            f'<text x="{LEFT + plot_w - 4}" y="{y(target_ms) - 5:.1f}"'
            f' text-anchor="end" fill="#c00000">target {target_ms:g} ms</text>'
        )
    if marker_rps is not None:
        out.append(
            f'<line x1="{x(marker_rps):.1f}" y1="{TOP}" x2="{x(marker_rps):.1f}"'
            f' y2="{TOP + plot_h}" stroke="#333333" stroke-dasharray="2 3"/>'
            f'<text x="{x(marker_rps) + 4:.1f}" y="{TOP + 14}">'
            f"{escape(marker_label)}</text>"
        )

    for index, (name, colour) in enumerate(SERIES):
        coords = " ".join(f"{x(p.rps):.1f},{y(getattr(p, name)):.1f}" for p in points)
        out.append(
            f'<polyline class="series-{name}" points="{coords}" fill="none"'
            f' stroke="{colour}" stroke-width="2"/>'
        )
        for p in points:
            out.append(
                f'<circle cx="{x(p.rps):.1f}" cy="{y(getattr(p, name)):.1f}" r="3"'
                f' fill="{colour}"/>'
            )
        legend_y = TOP + 10 + index * 20
        out.append(
            f'<line x1="{LEFT + plot_w + 15}" y1="{legend_y}"'
            f' x2="{LEFT + plot_w + 40}" y2="{legend_y}" stroke="{colour}"'
            f' stroke-width="2"/><text x="{LEFT + plot_w + 46}"'
            f' y="{legend_y + 4}">{name}</text>'
        )

    out.append("</svg>")
    return "\n".join(out) + "\n"
