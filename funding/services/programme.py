"""Writes for the programme's structure (programme, axes, actions, chapters) and its fixture loader."""

import datetime
import json
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from funding.choices import ActType
from funding.models import Action, Axis, BudgetChapter, Programme, Reservation
from funding.services.ledger import Act, reservation_create
from portal.audit import audit_record, snapshot
from portal.models import User
from portal.permissions import MANAGE_PROGRAMME, require

PROGRAMME_2020_2022 = Path(settings.BASE_DIR) / "fixtures" / "programme_2020_2022.json"
CHAPTER_FIELDS = ("number", "article", "year", "missione", "programma", "appropriation", "description")
ERROR_APPROPRIATION_BELOW_RESERVED = _(
    "The appropriation cannot go below what is already reserved (%(reserved)s)."
)


def _require(actor: User | None) -> None:
    if actor is not None:
        require(actor, MANAGE_PROGRAMME)


def _create(model_instance, *, actor: User | None, action: str, fields: tuple[str, ...]):
    model_instance.full_clean()
    with transaction.atomic():
        model_instance.save()
        audit_record(
            action=action, actor=actor, target=model_instance, after=snapshot(model_instance, fields)
        )
    return model_instance


def programme_create(*, actor: User | None, **fields) -> Programme:
    _require(actor)
    return _create(
        Programme(**fields),
        actor=actor,
        action="programme.created",
        fields=("title", "act_label", "act_number", "act_date", "start_year", "end_year"),
    )


def axis_create(*, actor: User | None, programme: Programme, number: int, title: str) -> Axis:
    _require(actor)
    return _create(
        Axis(programme=programme, number=number, title=title),
        actor=actor,
        action="programme.axis.created",
        fields=("programme", "number", "title"),
    )


def action_create(*, actor: User | None, axis: Axis, **fields) -> Action:
    _require(actor)
    return _create(
        Action(axis=axis, **fields),
        actor=actor,
        action="programme.action.created",
        fields=("axis", "number", "title", "start_year", "end_year"),
    )


def chapter_create(*, actor: User | None, **fields) -> BudgetChapter:
    _require(actor)
    return _create(
        BudgetChapter(**fields), actor=actor, action="programme.chapter.created", fields=CHAPTER_FIELDS
    )


def chapter_set_appropriation(
    *, actor: User | None, chapter: BudgetChapter, appropriation: Decimal, act: Act
) -> BudgetChapter:
    """A budget variation: never below what is already reserved (the row lock makes it race-free)."""
    _require(actor)
    with transaction.atomic():
        locked = BudgetChapter.objects.select_for_update().get(pk=chapter.pk)
        if appropriation < locked.reserved_total:
            raise ValidationError(
                {
                    "appropriation": ValidationError(
                        ERROR_APPROPRIATION_BELOW_RESERVED, params={"reserved": locked.reserved_total}
                    )
                }
            )
        before = snapshot(locked, ("appropriation",))
        locked.appropriation = appropriation
        locked.full_clean(validate_constraints=False)
        locked.save(update_fields=["appropriation", "updated_at"])
        audit_record(
            action="programme.chapter.appropriation_changed",
            actor=actor,
            target=locked,
            before=before,
            after={**snapshot(locked, ("appropriation",)), "act": f"{act.number} {act.date}"},
        )
    return locked


def programme_load(*, path: Path = PROGRAMME_2020_2022, actor: User | None = None) -> Programme:
    """Load a programme from its JSON description. Idempotent: what exists is left as it is."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    head = data["programme"]
    act_date = datetime.date.fromisoformat(head["act_date"])
    with transaction.atomic():
        programme = Programme.objects.filter(act_number=head["act_number"], act_date=act_date).first()
        if programme is None:
            programme = programme_create(actor=actor, **{**head, "act_date": act_date})
        chapters = {}
        for row in data["chapters"]:
            key = f"{row['number']}/{row['year']}"
            chapter = BudgetChapter.objects.filter(
                number=row["number"], year=row["year"], article=row.get("article", "")
            ).first()
            chapters[key] = chapter or chapter_create(
                actor=actor, **{**row, "appropriation": Decimal(row["appropriation"])}
            )
        act = Act(number=head["act_number"], date=act_date, type=ActType.DCR)
        for axis_row in data["axes"]:
            axis = Axis.objects.filter(programme=programme, number=axis_row["number"]).first() or axis_create(
                actor=actor, programme=programme, number=axis_row["number"], title=axis_row["title"]
            )
            for action_row in axis_row["actions"]:
                reservations = action_row["reservations"]
                fields = {k: v for k, v in action_row.items() if k not in ("reservations", "number")}
                action = Action.objects.filter(
                    axis=axis, number=action_row["number"]
                ).first() or action_create(actor=actor, axis=axis, number=action_row["number"], **fields)
                for res in reservations:
                    chapter = chapters[res["chapter"]]
                    amount = Decimal(res["amount"])
                    if not Reservation.objects.filter(
                        action=action, chapter=chapter, amount=amount, description=res["description"]
                    ).exists():
                        reservation_create(
                            actor=actor,
                            action=action,
                            chapter=chapter,
                            amount=amount,
                            act=act,
                            description=res["description"],
                        )
    return programme
