from django.conf import settings

from portal.permissions import CAPABILITIES, can, primary_membership


def portal(request):
    user = getattr(request, "user", None)
    membership = primary_membership(user) if user is not None else None
    caps = {name: can(user, name) for name in CAPABILITIES} if membership else {}
    return {
        "region_name": settings.REGION_NAME,
        "current_membership": membership,
        "caps": caps,
    }
