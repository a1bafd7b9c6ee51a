"""The OpenAPI schema tells the truth about null (issue 9, item 16): every response of these
endpoints validates against the schema's own component, null values included."""

import copy

import pytest
from drf_spectacular.generators import SchemaGenerator
from jsonschema import Draft202012Validator

from funding.choices import AllocationMethod
from funding.services.allocation import allocation_propose
from portal.choices import Role
from tests.factories import RegionFactory, make_user
from tests.funding.factories import make_admitted, make_allocation_call
from tests.utils import api_client_for

pytestmark = pytest.mark.django_db


def _json_schema(node):
    """OpenAPI 3.0 to JSON Schema: `nullable: true` becomes a null alternative, refs point to $defs."""
    if isinstance(node, list):
        return [_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {k: _json_schema(v) for k, v in node.items()}
    if "$ref" in node:
        node["$ref"] = node["$ref"].replace("#/components/schemas/", "#/$defs/")
    if node.pop("nullable", False):
        return {"anyOf": [node, {"type": "null"}]}
    return node


@pytest.fixture(scope="module")
def components():
    schema = SchemaGenerator(api_version="v1").get_schema(request=None, public=True)
    return _json_schema(copy.deepcopy(schema["components"]["schemas"]))


def check(components, name, instance):
    validator = Draft202012Validator(
        {"$ref": f"#/$defs/{name}", "$defs": components}, format_checker=Draft202012Validator.FORMAT_CHECKER
    )
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(instance)]
    assert not errors, errors


def test_organisations_without_comune_or_province_conform(components):
    region = RegionFactory()
    official = make_user(Role.REGIONAL_OFFICIAL, region)
    body = api_client_for(official).get(f"/api/v1/organisations/{region.pk}/").json()
    assert body["comune"] is None
    assert body["province"] is None
    check(components, "Organisation", body)


def test_allocations_without_reference_date_conform(components):
    call = make_allocation_call(method=AllocationMethod.DECLARED_WEIGHT, amount="1000.00")
    make_admitted(call, declared_weight=3)
    official = make_user(Role.REGIONAL_OFFICIAL)
    allocation = allocation_propose(actor=official, call=call)
    api = api_client_for(official)
    listed = api.get("/api/v1/allocations/").json()
    row = next(r for r in listed["results"] if r["id"] == allocation.pk)
    assert row["reference_date"] is None
    check(components, "Allocation", row)
    detail = api.get(f"/api/v1/allocations/{allocation.pk}/").json()
    check(components, "AllocationDetail", detail)
