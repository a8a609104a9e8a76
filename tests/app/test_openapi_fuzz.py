"""Requests generated from /openapi.json: whatever arrives, never a 500.

Schemathesis builds valid and invalid requests for every operation from the
published document, itself built from the models that validate. Each answer
must be a success or the one error shape; a 500 means a crash slipped past
validation.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode

from tests.conftest import Api


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_no_generated_request_makes_the_api_fail(app, admin: Api, mode):
    schema = schemathesis.openapi.from_wsgi("/openapi.json", app)
    strategy = schema.as_strategy(
        mode, headers={"Authorization": f"Bearer {admin.token}"}
    )
    failures = []

    @given(strategy)
    @settings(
        max_examples=300,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def check(case):
        response = case.call()
        if response.status_code >= 500:
            failures.append((case.method, case.formatted_path, response.text))
        elif response.status_code >= 400:
            assert set(response.json()["error"]) == {"code", "message", "details"}

    check()

    assert failures == []
