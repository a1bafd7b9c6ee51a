"""An export filtered by call: the value the report's definition offers (the call's code) is the one
the API accepts and the one the job cleans again in the worker (issue 9, item 15)."""

import pytest

from funding.reports.applications import APPLICATIONS
from tests.funding.factories_calls import make_call, make_submitted
from tests.utils import api_client_for

pytestmark = pytest.mark.django_db


def test_the_applications_export_filters_by_the_code_the_definition_offers(
    official, eager, django_capture_on_commit_callbacks
):
    wanted, other = make_call(code="bodycam-2021"), make_call(code="altro-2021")
    kept = make_submitted(wanted)
    left_out = make_submitted(other)
    api = api_client_for(official)
    definition = api.get(f"/api/v1/reports/{APPLICATIONS.key}/").json()
    call_parameter = next(p for p in definition["parameters"] if p["name"] == "call")
    offered = [value for value, _label in call_parameter["choices"]]
    assert "bodycam-2021" in offered

    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            "/api/v1/exports/",
            {"report": APPLICATIONS.key, "format": "csv", "params": {"call": "bodycam-2021"}},
            format="json",
        )
    assert response.status_code == 202, response.content
    job = response.json()
    assert job["params"] == {"call": "bodycam-2021"}
    status = api.get(f"/api/v1/exports/{job['id']}/").json()
    assert status["status"] == "done", status
    content = b"".join(api.get(status["download_url"]).streaming_content).decode()
    assert kept.protocol_number in content
    assert left_out.protocol_number not in content


def test_a_stored_job_cleans_again_to_the_same_call():
    call = make_call(code="taxi-2021")
    cleaned = APPLICATIONS.clean_params({"call": "taxi-2021"})
    stored = APPLICATIONS.params_to_json(cleaned)
    assert stored == {"call": "taxi-2021"}
    assert APPLICATIONS.clean_params(stored)["call"] == call
