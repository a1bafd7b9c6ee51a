"""Serializer fields shared by the funding API."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


def status_field(choices, what: str):
    """A read-only status described as a string listing its values: other resources expose other
    "status" choice sets, and the schema must not name two enums the same."""

    @extend_schema_field(
        {"type": "string", "readOnly": True, "description": f"{what}: {', '.join(choices.values)}."}
    )
    class StatusField(serializers.CharField):
        pass

    return StatusField(read_only=True)
