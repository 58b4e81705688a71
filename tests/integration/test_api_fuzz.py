"""Schema-based fuzzing of /v1/openapi.json (schemathesis): no 5xx, no answer outside the schema."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]


def operations(app):
    schema = schemathesis.openapi.from_wsgi("/v1/openapi.json", app)
    return [result.ok() for result in schema.get_all_operations()]


@pytest.fixture
def credentials(partner, person_for):
    """A valid API key and a session token whose person is at the photo step."""
    case = partner.open_case().get_json()
    person = person_for(case["verification_url"])
    person.through_document_type()
    return {"partner": partner.headers["Authorization"],
            "mobile": person.headers["Authorization"]}


def fuzzer(operation, headers: dict[str, str]):
    @given(case=operation.as_strategy())
    @hypothesis_settings(max_examples=25, deadline=None, derandomize=True, database=None,
                         suppress_health_check=list(HealthCheck))
    def fuzz(case):
        case.call_and_validate(headers=headers, checks=CHECKS)

    return fuzz


def test_every_operation_answers_within_its_schema(app, credentials):
    tried = []
    for operation in operations(app):
        mobile = operation.path.startswith("/v1/session") and operation.path != "/v1/sessions"
        fuzzer(operation, {"Authorization": credentials["mobile" if mobile else "partner"]})()
        tried.append(f"{operation.method.upper()} {operation.path}")
    assert len(tried) >= 15, tried
