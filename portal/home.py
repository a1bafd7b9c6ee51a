"""What each role's home page shows, contributed by the apps that own it.

portal knows no domain app: an app registers, in its AppConfig.ready(), a function that adds to the
context of a role's home page (projects: the EU project manager's due items and projects). The home
view calls every function registered for the user's role, in registration order.
"""

from collections.abc import Callable

from django.http import HttpRequest

HomeContext = Callable[[HttpRequest], dict]

_contributions: dict[str, list[HomeContext]] = {}


def register_home_context(role: str, contribute: HomeContext) -> None:
    """Add `contribute(request) -> dict` to the home page of `role` (once per function)."""
    functions = _contributions.setdefault(role, [])
    if contribute not in functions:
        functions.append(contribute)


def home_context(role: str, request: HttpRequest) -> dict:
    context: dict = {}
    for contribute in _contributions.get(role, ()):
        context.update(contribute(request))
    return context


def administrator_home(request: HttpRequest) -> dict:
    from portal.selectors import administrator_queue

    return {"queue": administrator_queue(user=request.user)}
