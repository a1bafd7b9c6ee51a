"""requirements.lock is what `make install` and CI install (with hashes): every dependency that
pyproject.toml names must be in it, so that a dependency added without `make lock` fails here, not
on a fresh machine."""

import re
import tomllib
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)


def _name(requirement: str) -> str:
    return re.split(r"[\[<>=!~;\s]", requirement, maxsplit=1)[0].lower().replace("_", "-").replace(".", "-")


def locked() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9_.\-]+)==([^\s;\\]+)", line)
        if match:
            pins[_name(match.group(1))] = match.group(2)
    return pins


def test_every_dependency_of_pyproject_is_locked_with_its_hashes():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = [*project["dependencies"], *project["optional-dependencies"]["dev"]]
    pins = locked()
    missing = sorted({_name(r) for r in wanted} - pins.keys())
    assert not missing, f"not in requirements.lock: {missing}; run `make lock`"
    text = (ROOT / "requirements.lock").read_text()
    entries = re.split(r"\n(?=[A-Za-z0-9])", text.split("\n", 2)[2])
    assert all("--hash=sha256:" in entry for entry in entries if "==" in entry)


def test_the_container_lock_has_the_same_versions_without_the_dev_tools():
    production = {}
    for line in (ROOT / "requirements-prod.lock").read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9_.\-]+)==([^\s;\\]+)", line)
        if match:
            production[_name(match.group(1))] = match.group(2)
    full = locked()
    assert production
    assert {name: full.get(name) for name in production} == production
    assert "pytest" not in production
    assert "playwright" not in production
