import xml.etree.ElementTree as ET

import pytest

from bench.chart import LoadPoint, latency_chart, nice_step

SVG = "{http://www.w3.org/2000/svg}"
POINTS = [LoadPoint(900, 3, 6, 9), LoadPoint(300, 1, 2, 3), LoadPoint(600, 2, 4, 6)]


@pytest.mark.parametrize(
    ("span", "step"),
    [(10, 2), (7, 2), (100, 20), (1000, 200), (0.3, 0.1), (26, 10), (0, 1.0)],
)
def test_nice_step_is_a_round_number_covering_the_span(span, step):
    assert nice_step(span) == pytest.approx(step)


def test_chart_is_well_formed_svg_with_one_line_per_percentile():
    root = ET.fromstring(latency_chart(POINTS, title="t"))

    lines = {p.get("class"): p for p in root.iter(f"{SVG}polyline")}
    assert set(lines) == {"series-p50", "series-p95", "series-p99"}


def test_chart_orders_points_by_load_and_puts_higher_latency_higher():
    root = ET.fromstring(latency_chart(POINTS, title="t"))
    line = next(
        p for p in root.iter(f"{SVG}polyline") if p.get("class") == "series-p99"
    )

    coords = [tuple(map(float, c.split(","))) for c in line.get("points").split()]
    xs, ys = [c[0] for c in coords], [c[1] for c in coords]
    assert xs == sorted(xs)
    # SVG y grows downwards: rising latency means falling y.
    assert ys == sorted(ys, reverse=True)


def test_chart_draws_the_target_and_the_marker_with_their_labels():
    svg = latency_chart(
        POINTS, title="t", target_ms=20, marker_rps=630, marker_label="70%"
    )

    assert "target 20 ms" in svg
    assert ">70%</text>" in svg
    assert 'stroke-dasharray="6 4"' in svg


def test_chart_escapes_its_title():
    svg = latency_chart(POINTS, title="a < b & c")

    assert "a &lt; b &amp; c" in svg
    ET.fromstring(svg)


def test_chart_without_points_is_refused():
    with pytest.raises(ValueError, match="at least one point"):
        latency_chart([], title="t")
