import pytest

from bench.errors import BenchError
from bench.load import Request, parse_wrk_output, run_wrk

WRK_OUTPUT = """Running 2s test @ http://127.0.0.1:5000
  1 threads and 4 connections
Requests/sec:     89.77
WRK_JSON {"requests": 180, "duration_us": 2000000, "bytes": 21952, "errors": {"connect": 0, "read": 1, "write": 0, "status": 60, "timeout": 2}, "latency_us": {"min": 8289, "mean": 43756.0, "stdev": 5010.4, "max": 48298, "p50": 43978, "p75": 44195, "p90": 47578, "p95": 47963, "p99": 48253, "p999": 48298}, "statuses": {"201": 120, "400": 60}}
"""


def test_wrk_summary_becomes_milliseconds_and_requests_per_second():
    result = parse_wrk_output(WRK_OUTPUT, connections=4)

    assert result.rps == 90.0
    assert result.p95 == pytest.approx(47.963)
    assert result.p99 == pytest.approx(48.253)
    assert result.statuses == {"201": 120, "400": 60}


def test_error_count_adds_socket_errors_timeouts_and_bad_statuses():
    assert parse_wrk_output(WRK_OUTPUT, connections=4).error_count == 63


def test_output_without_summary_names_what_wrk_printed():
    with pytest.raises(BenchError, match="no WRK_JSON summary.*unable to connect"):
        parse_wrk_output("unable to connect to 127.0.0.1:1\n", connections=1)


def test_request_line_separates_fields_with_tabs_and_marks_no_token():
    assert Request("GET", "/health/live").line() == "GET\t/health/live\t-\t"


def test_request_with_a_tab_in_a_field_is_refused():
    with pytest.raises(ValueError, match="tab or newline"):
        Request("POST", "/v1/decisions", "t", '{"a":\t1}').line()


def test_load_is_only_sent_to_loopback(tmp_path):
    with pytest.raises(BenchError, match="only loads loopback"):
        run_wrk("http://10.0.0.1:5000", tmp_path / "r", connections=1, seconds=1)
