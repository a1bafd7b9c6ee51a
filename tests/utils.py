"""Helpers for tests of every app."""

import time

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.conf import settings

from tests.factories import TEST_TOTP_SECRET


def is_postgres() -> bool:
    return settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


requires_postgres = pytest.mark.skipif(not is_postgres(), reason="needs PostgreSQL (set DATABASE_URL)")


def totp_code(secret: str = TEST_TOTP_SECRET) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def api_client_for(user):
    from rest_framework.test import APIClient

    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def external_assets(html: str) -> list[str]:
    """Scripts, stylesheets, fonts and images the page would load from another host (a CDN)."""
    import re

    tags = re.findall(r"<(?:script|link|img|source|iframe)\b[^>]*>", html, flags=re.IGNORECASE)
    urls = [m for tag in tags for m in re.findall(r'(?:src|href)="([^"]*)"', tag)]
    return [url for url in urls if re.match(r"^(?:https?:)?//", url)]


def within_one_clock_minute(seconds: float = 10) -> None:
    """Wait for the next minute of the clock when fewer than `seconds` are left of this one: for the
    tests of limits counted per clock minute (security events, analytics batches), which otherwise
    fail when their requests straddle two minutes (a CI run begun at hh:mm:59 counted 10 events, not 5)."""
    left = 60 - time.time() % 60
    if left < seconds:
        time.sleep(left + 0.05)
