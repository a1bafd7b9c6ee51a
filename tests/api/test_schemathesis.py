"""Schemathesis against the whole API (issue 9, item 16): every operation, as a regional official
and as an applicant, checked for server errors and for conformance to the OpenAPI schema.

It runs in-process on the WSGI application and on the test database (thrown away after the run);
.ci/run runs it with SCHEMATHESIS=1, bounded by SCHEMATHESIS_EXAMPLES examples per operation.
The default suite skips it: it takes minutes."""

import os

import pytest

pytestmark = [
    pytest.mark.schemathesis,
    pytest.mark.django_db,
    pytest.mark.skipif(not os.environ.get("SCHEMATHESIS"), reason="set SCHEMATHESIS=1 (run by .ci/run)"),
]

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import response_schema_conformance  # noqa: E402

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "5"))


@pytest.fixture
def api_schema(db):
    """The schema as /api/schema/ serves it, on the WSGI application (no server, no network)."""
    import json

    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.renderers import OpenApiJsonRenderer

    from portal.wsgi import application

    raw = SchemaGenerator(api_version="v1").get_schema(request=None, public=True)
    loaded = schemathesis.openapi.from_dict(json.loads(OpenApiJsonRenderer().render(raw)))
    loaded.app = application
    # As Django's test client does: a request must not close the test's connection (its transaction).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield loaded
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _token(role: str) -> str:
    """A token for a regional official or an applicant, with a little data for them to read."""
    from portal.choices import Role
    from portal.tokens import api_token_create
    from tests.factories import make_user
    from tests.funding.factories import make_commitment
    from tests.funding.factories_calls import make_applicant, make_call, make_draft

    official = make_user(Role.REGIONAL_OFFICIAL)
    applicant, organisation = make_applicant()
    make_draft(make_call(), applicant, organisation)
    make_commitment("5000.00", beneficiary=organisation)
    user = official if role == "official" else applicant
    _token_row, key = api_token_create(actor=user, name="schemathesis", passed_totp=True)
    return key


@pytest.fixture
def official_token(db):
    return _token("official")


@pytest.fixture
def applicant_token(db):
    return _token("applicant")


CHECKS = [not_a_server_error, response_schema_conformance]
STATUSES: dict[int, int] = {}  # how the API answered, printed with -s


def _run(api_schema, token) -> tuple[int, list[str]]:
    """Every operation with EXAMPLES generated cases; the failures, one line each."""
    failures, operations = [], 0
    headers = {"Authorization": f"Token {token}", "Host": "localhost"}
    for result in api_schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
            phases=[Phase.explicit, Phase.generate],
        )
        def check(case):
            response = case.call_and_validate(headers=headers, checks=CHECKS)
            STATUSES[response.status_code] = STATUSES.get(response.status_code, 0) + 1

        try:
            check()
        except Exception as exc:
            failures.append(f"{operation.label}: {str(exc).strip().splitlines()[0][:300]}")
    return operations, failures


def test_api_conforms_for_an_official(api_schema, official_token):
    operations, failures = _run(api_schema, official_token)
    print(f"{operations} operations, answers by status: {sorted(STATUSES.items())}")
    assert operations > 50
    assert not failures, "\n".join(failures)


def test_api_conforms_for_an_applicant(api_schema, applicant_token):
    _operations, failures = _run(api_schema, applicant_token)
    assert not failures, "\n".join(failures)
