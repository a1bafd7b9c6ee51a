"""A configured SP (key pair, SPID and CIE metadata files) and local identity providers."""

import pytest

from tests.saml_idp import configure_saml


@pytest.fixture
def saml(settings, tmp_path):
    return configure_saml(settings, tmp_path)
