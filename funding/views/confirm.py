"""Irreversible actions take two steps (issue 9, item 20): the first POST shows what will happen and
that it cannot be undone, the second (with `confirmed=1`) does it. A form posted from an old page
without the confirmation only shows the confirmation again: nothing happens by a single click."""

from dataclasses import dataclass, field

from django.shortcuts import render

CONFIRMED = "confirmed"


def is_confirmed(request) -> bool:
    return request.POST.get(CONFIRMED) == "1"


@dataclass
class Confirmation:
    title: str
    lead: str
    action: str  # the URL the confirmed form posts to
    confirm_label: str
    cancel_url: str
    facts: list[tuple[str, str]] = field(default_factory=list)  # (label, value)
    consequences: list[str] = field(default_factory=list)
    hidden: dict[str, str] = field(default_factory=dict)  # the first step's fields, posted again

    def render(self, request, *, breadcrumb: list[tuple[str, str]] = ()):
        return render(request, "funding/confirm.html", {"confirmation": self, "breadcrumb": list(breadcrumb)})
