"""The consortium: partners added (an Italian body, or a foreign one registered as an "other body" with
its country and PIC), their role and short name changed (one coordinator at most), removed while nothing
is recorded for them. The work plan's keeper (projects.services.common.work_plan_keeper) writes it."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from portal.audit import snapshot
from portal.models import Organisation, User
from projects.choices import PartnerRole
from projects.models import Partner, Project
from projects.services.common import audit, require_work_plan, validated

ERROR_FOREIGN_PARTNER = _(
    "A foreign partner is an organisation of kind “other body” with its country (ISO 3166) and 9-digit PIC."
)
ERROR_COORDINATOR_TAKEN = _("The project already has a coordinator: %(partner)s.")
ERROR_PARTNER_IN_USE = _("This partner has budget, work or costs recorded: it cannot be removed.")
PARTNER_FIELDS = ("project", "organisation", "number", "short_name", "role")


def _refuse_second_coordinator(project: Project, *, role: str, partner: Partner | None = None) -> None:
    """A project has one coordinator at most: naming the one it has."""
    if role != PartnerRole.COORDINATOR:
        return
    current = Partner.objects.filter(project=project, role=PartnerRole.COORDINATOR)
    if partner is not None:
        current = current.exclude(pk=partner.pk)
    current = current.first()
    if current is not None:
        raise ValidationError(
            {
                "role": ValidationError(
                    ERROR_COORDINATOR_TAKEN, code="coordinator", params={"partner": str(current)}
                )
            }
        )


def _check_partner_organisation(organisation: Organisation) -> None:
    """A foreign partner must be identifiable: an "other body" with its country and PIC."""
    from portal.choices import OrganisationKind

    if organisation.country != "IT" and (organisation.kind != OrganisationKind.OTHER or not organisation.pic):
        raise ValidationError(
            {"organisation": ValidationError(ERROR_FOREIGN_PARTNER, code="foreign_partner")}
        )


def partner_add(
    *,
    actor: User | None,
    project: Project,
    organisation: Organisation,
    role: str,
    short_name: str,
    number: int | None = None,
) -> Partner:
    require_work_plan(actor, project)
    _check_partner_organisation(organisation)
    with transaction.atomic():
        locked = Project.objects.select_for_update().get(pk=project.pk)
        if number is None:
            number = (Partner.objects.filter(project=locked).aggregate(m=Max("number"))["m"] or 0) + 1
        partner = Partner(
            project=locked, organisation=organisation, role=role, short_name=short_name, number=number
        )
        _refuse_second_coordinator(locked, role=role)
        validated(partner)
        partner.save()
        audit(
            action="projects.partner.added",
            actor=actor,
            target=partner,
            project=locked,
            organisation=organisation,
            after=snapshot(partner, PARTNER_FIELDS),
        )
    return partner


def foreign_body_register(*, actor: User | None, project: Project, name: str, country: str, pic: str):
    """The foreign body with this PIC, or a new "other body" with its name, country (ISO 3166) and PIC,
    registered and audited in the caller's transaction (the field errors name name, country, pic)."""
    from portal.audit import audit_record
    from portal.choices import OrganisationKind
    from portal.services import ORGANISATION_FIELDS

    pic = (pic or "").strip()
    organisation = Organisation.objects.filter(pic=pic, kind=OrganisationKind.OTHER).first() if pic else None
    if organisation is not None:
        return organisation
    organisation = Organisation(
        kind=OrganisationKind.OTHER,
        name=(name or "").strip(),
        country=(country or "").strip().upper(),
        pic=pic,
    )
    validated(organisation)
    if not pic:  # the model allows a body without PIC; a foreign partner is known by it
        raise ValidationError({"pic": ValidationError(ERROR_FOREIGN_PARTNER, code="foreign_partner")})
    organisation.save()
    audit_record(
        action="organisation.created",
        actor=actor,
        organisation=organisation,
        target=organisation,
        after={**snapshot(organisation, ORGANISATION_FIELDS), "project": project.acronym},
    )
    return organisation


def partner_add_foreign_body(
    *,
    actor: User | None,
    project: Project,
    name: str,
    country: str,
    pic: str,
    role: str,
    short_name: str,
) -> Partner:
    """Add a foreign partner that the portal does not know yet: an "other body" with its country and PIC
    is registered (or found by its PIC) and added, both in one transaction, or neither."""
    require_work_plan(actor, project)
    with transaction.atomic():
        organisation = foreign_body_register(
            actor=actor, project=project, name=name, country=country, pic=pic
        )
        return partner_add(
            actor=actor, project=project, organisation=organisation, role=role, short_name=short_name
        )


def partner_remove(*, actor: User | None, partner: Partner) -> None:
    project = partner.project
    require_work_plan(actor, project)
    with transaction.atomic():
        Project.objects.select_for_update().get(pk=project.pk)
        in_use = (
            partner.budget_lines.exists()
            or partner.led_work_packages.exists()
            or partner.led_tasks.exists()
            or partner.led_deliverables.exists()
            or partner.expenditure_lines.exists()
            or partner.actual_efforts.exists()
            or partner.planned_efforts.exclude(person_months=0).exists()
        )
        if in_use:
            raise ValidationError(ERROR_PARTNER_IN_USE, code="partner_in_use")
        audit(
            action="projects.partner.removed",
            actor=actor,
            target=partner,
            project=project,
            organisation=partner.organisation,
            before=snapshot(partner, PARTNER_FIELDS),
        )
        partner.planned_efforts.all().delete()
        partner.delete()


def partner_update(*, actor: User | None, partner: Partner, **changes) -> Partner:
    """A partner's role or short name. Making it the coordinator is refused, naming the coordinator,
    while the project has another; a coordinator may step down to another role."""
    project = partner.project
    require_work_plan(actor, project)
    unknown = set(changes) - {"role", "short_name"}
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    with transaction.atomic():
        locked_project = Project.objects.select_for_update().get(pk=project.pk)
        locked = Partner.objects.select_for_update().get(pk=partner.pk)
        before = snapshot(locked, PARTNER_FIELDS)
        for name, value in changes.items():
            setattr(locked, name, (value or "").strip() if name == "short_name" else value)
        _refuse_second_coordinator(locked_project, role=locked.role, partner=locked)
        validated(locked)
        locked.save()
        after = snapshot(locked, PARTNER_FIELDS)
        audit(
            action="projects.partner.updated",
            actor=actor,
            target=locked,
            project=locked_project,
            organisation=locked.organisation,
            before={k: v for k, v in before.items() if after[k] != v},
            after={k: v for k, v in after.items() if before[k] != v},
        )
    return locked
