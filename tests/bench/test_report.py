import json

import pytest

from bench.report import evaluate_targets, render_markdown, write_report


def by_key(targets):
    return {t.key: t for t in targets}


def test_sample_run_meets_every_target_but_the_ratio(results):
    targets = by_key(evaluate_targets(results))

    assert {k: t.met for k, t in targets.items()} == {
        "decision_p99": True,
        "decision_ratio": False,
        "events_p99": True,
        "warm_rebuild": True,
        "api_start": True,
        "noop_redeploy": True,
    }


def test_decision_p99_is_read_at_the_point_nearest_seventy_percent(results):
    results["offered_load"]["points"][2]["result"]["p99"] = 25.0

    target = by_key(evaluate_targets(results))["decision_p99"]

    assert target.met is False
    assert target.measured.startswith("25.0 ms")


@pytest.mark.parametrize(
    ("path", "value", "key"),
    [
        (("delivery", "build_warm_s"), 10.5, "warm_rebuild"),
        (("delivery", "api_start_to_healthy_s"), 5.2, "api_start"),
        (("delivery", "redeploy_replaced"), ["docker_container.api"], "noop_redeploy"),
        (("events", "result", "p99"), 51.0, "events_p99"),
    ],
)
def test_a_figure_past_its_target_is_missed(results, path, value, key):
    node = results
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value

    assert by_key(evaluate_targets(results))[key].met is False


def test_a_small_event_log_is_flagged_as_not_the_published_figure(results):
    results["events"]["events_in_log"] = 100_000

    target = by_key(evaluate_targets(results))["events_p99"]

    assert "not the published figure" in target.note


def test_missing_sections_are_not_measured_rather_than_met(results):
    del results["delivery"]
    del results["offered_load"]

    targets = by_key(evaluate_targets(results))

    assert targets["warm_rebuild"].verdict == "not measured"
    assert targets["decision_p99"].verdict == "not measured"


def test_quick_report_says_so_in_title_and_chart(results, tmp_path):
    results["mode"] = "quick"

    write_report(results, tmp_path)

    report = (tmp_path / "report.md").read_text()
    assert report.startswith("# Smart Access benchmark (quick run)")
    assert "none of them is the published one" in report
    assert "(quick run)" in (tmp_path / "latency.svg").read_text()


def test_write_report_stores_the_verdicts_and_links_the_chart(results, tmp_path):
    write_report(results, tmp_path)

    saved = json.loads((tmp_path / "results.json").read_text())
    assert [t["verdict"] for t in saved["targets"]].count("met") == 5
    assert (
        "![latency against offered load](latency.svg)"
        in (tmp_path / "report.md").read_text()
    )


def test_report_lists_health_and_decisions_side_by_side(results):
    report = render_markdown(results, evaluate_targets(results))

    assert "| health | 16 | 4000 |" in report
    assert "| decisions | 16 | 1000 |" in report
    assert "ratio **25%**" in report
    assert "**1.25x**" in report


def test_report_breaks_the_api_start_into_its_phases(results):
    report = render_markdown(results, evaluate_targets(results))

    assert "schema checked at 1.2 s, gunicorn listening at 2.0 s" in report
    assert "reused the dependency layers" in report
