import copy

import pytest


def load(rps, connections=16, p50=2.0, p95=4.0, p99=6.0, errors=0):
    return {
        "connections": connections,
        "duration_s": 5.0,
        "requests": int(rps * 5),
        "rps": rps,
        "p50": p50,
        "p75": p50,
        "p90": p95,
        "p95": p95,
        "p99": p99,
        "p999": p99,
        "mean": p50,
        "max": p99,
        "errors": {"connect": 0, "read": 0, "write": 0, "status": errors, "timeout": 0},
        "statuses": {"201": int(rps * 5)},
        "error_count": errors,
        "mean_delay_ms": 0.0,
        "context": {"cpus": 2},
    }


SAMPLE = {
    "mode": "full",
    "started_at": "2026-12-03T16:00:00Z",
    "duration_s": 600,
    "machine": {
        "cpus": 2,
        "cpu_model": "Test CPU",
        "memory_gib": 8.0,
        "docker": "20.10",
    },
    "limits": {
        "api": {"cpus": 1.0, "memory": "512m"},
        "postgres": {"cpus": None, "memory": None},
    },
    "deployment": {"workers": 3, "worker_class": "gthread", "threads": 4},
    "data": {
        "people": 10000,
        "credentials": 20000,
        "doors": 200,
        "sites": 5,
        "timezones": ["Europe/Berlin", "Asia/Tokyo"],
        "access_groups": 50,
        "time_frames": 300,
        "holidays": 50,
        "events": 1_000_000,
        "load_s": 42.0,
    },
    "decisions": {
        "levels": [
            {
                "connections": 16,
                "health": load(4000),
                "decision": load(1000),
                "ratio": 0.25,
            }
        ],
        "peak_rps": 1000.0,
        "health_ceiling_rps": 4000.0,
        "ratio": 0.25,
    },
    "offered_load": {
        "peak_rps": 1000.0,
        "points": [
            {
                "fraction": f,
                "target_rps": 1000 * f,
                "result": load(1000 * f * 0.98, p99=p99),
            }
            for f, p99 in ((0.3, 5.0), (0.5, 8.0), (0.7, 12.0), (0.9, 40.0))
        ],
    },
    "workers": {
        "original": {"label": "sync, 3 workers", "result": load(800)},
        "defaults": {"label": "gthread, 3x4", "result": load(1000)},
        "ratio": 1.25,
        "winner": "defaults",
    },
    "events": {
        "events_in_log": 1_000_000,
        "queries": 40,
        "result": load(300, p99=30.0),
    },
    "delivery": {
        "synth_s": 12.0,
        "build_cold_s": 80.0,
        "build_warm_s": 6.0,
        "image_bytes": 200 * 2**20,
        "base_image_bytes": 150 * 2**20,
        "postgres_to_healthy_s": 3.0,
        "api_start_to_healthy_s": 2.5,
        "api_start_to_ready_s": 1.5,
        "deploy_s": 60.0,
        "redeploy_s": 8.0,
        "redeploy_replaced": [],
        "dependency_layer_reused": True,
        "api_start_phases": {"schema checked": 1.2, "gunicorn listening": 2.0},
    },
}


@pytest.fixture
def results():
    return copy.deepcopy(SAMPLE)


@pytest.fixture
def make_load():
    return load
