"""The programmes' code lists: loaded from projects/fixtures/eu_programmes.json (a Django fixture,
also `manage.py loaddata eu_programmes`). The loader only adds what is missing, by code, so what an
administrator edited stays as edited."""

import json
from pathlib import Path

from django.db import transaction

from projects.models import CostCategory, DeliverableType, DisseminationLevel, FundingProgramme

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "eu_programmes.json"
ENTRY_MODELS = {
    "projects.deliverabletype": DeliverableType,
    "projects.disseminationlevel": DisseminationLevel,
    "projects.costcategory": CostCategory,
}


def code_lists_load(*, path: Path = FIXTURE) -> int:
    """Create the programmes and code-list entries that do not exist yet; returns how many were added."""
    objects = json.loads(path.read_text(encoding="utf-8"))
    added = 0
    with transaction.atomic():
        programmes = {}
        for obj in objects:
            if obj["model"] == "projects.fundingprogramme":
                fields = obj["fields"]
                programme, created = FundingProgramme.objects.get_or_create(
                    code=fields["code"], defaults={k: v for k, v in fields.items() if k != "code"}
                )
                programmes[obj["pk"]] = programme
                added += created
        for obj in objects:
            model = ENTRY_MODELS.get(obj["model"])
            if model is None:
                continue
            fields = dict(obj["fields"])
            programme = programmes[fields.pop("programme")]
            _entry, created = model.objects.get_or_create(
                programme=programme, code=fields.pop("code"), defaults=fields
            )
            added += created
    return added
