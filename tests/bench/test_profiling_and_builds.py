import pytest

from bench.delivery import cached_steps
from bench.profiling import leaf_functions, summarize

RAW = """\
Thread.run (threading.py:1);handle (gunicorn/workers/gthread.py:5);decide (app/decisions.py:200);execute (sqlalchemy/engine/base.py:10) 60
Thread.run (threading.py:1);handle (gunicorn/workers/gthread.py:5);decide (app/decisions.py:200);dumps (json/__init__.py:3) 20
Thread.run (threading.py:1);handle (gunicorn/workers/gthread.py:5);emit (logging/__init__.py:9) 20
"""


def test_profile_shares_are_inclusive_per_package_and_drop_the_ubiquitous():
    top = dict(summarize(RAW))

    assert top["app"] == pytest.approx(0.8)
    assert top["sqlalchemy"] == pytest.approx(0.6)
    assert top["logging"] == pytest.approx(0.2)
    assert "threading" not in top and "gunicorn" not in top


def test_leaf_functions_are_self_time_without_line_numbers():
    leaves = dict(leaf_functions(RAW))

    assert leaves["execute (sqlalchemy/engine/base.py)"] == pytest.approx(0.6)


def test_an_empty_profile_has_no_top_packages():
    assert summarize("") == []
    assert summarize("   12\n") == []


BUILD_LOG = """\
Step 1/9 : ARG BASE_IMAGE=python:3.12-slim-bookworm
Step 2/9 : FROM ${BASE_IMAGE} AS build
 ---> 1234
Step 3/9 : COPY requirements.txt /tmp/requirements.txt
 ---> Using cache
 ---> abcd
Step 4/9 : RUN pip install --require-hashes -r /tmp/requirements.txt
 ---> Using cache
Step 5/9 : COPY app /srv/app
 ---> Running in 55
"""


def test_cached_steps_tell_reused_layers_from_rebuilt_ones():
    steps = cached_steps(BUILD_LOG)

    assert steps["COPY requirements.txt /tmp/requirements.txt"] is True
    assert steps["RUN pip install --require-hashes -r /tmp/requirements.txt"] is True
    assert steps["COPY app /srv/app"] is False
