"""What the projects API views share: the error responses in the schema and input parsing."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse

ERRORS = {
    400: OpenApiResponse(
        OpenApiTypes.OBJECT, description="{field: [messages]} in the user's language; nothing was written."
    ),
    403: OpenApiResponse(
        OpenApiTypes.OBJECT, description="The user may not do this on this project; nothing was written."
    ),
    404: OpenApiResponse(OpenApiTypes.OBJECT, description="No such object among those the user may read."),
}


def parse(serializer_class, request, *, partial: bool = False):
    serializer = serializer_class(data=request.data, partial=partial)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data
