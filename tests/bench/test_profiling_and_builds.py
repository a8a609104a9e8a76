import pytest

from bench.delivery import cached_steps
from bench.profiling import summarize

RAW = """\
<module> (wsgi.py:1);run (arbiter.py:1);decide (app/decisions.py:200);execute (sqlalchemy/engine.py:10) 60
<module> (wsgi.py:1);run (arbiter.py:1);decide (app/decisions.py:200);dumps (json.py:3) 20
<module> (wsgi.py:1);run (arbiter.py:1);accept (socket.py:9) 20
"""


def test_profile_shares_are_inclusive_and_drop_frames_in_every_sample():
    top = dict(summarize(RAW))

    assert top["decide"] == pytest.approx(0.8)
    assert top["execute"] == pytest.approx(0.6)
    assert "run" not in top and "<module>" not in top


def test_an_empty_profile_has_no_top_functions():
    assert summarize("") == []


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
