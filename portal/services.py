"""Writes for identities and organisations. Each one audits itself in the same transaction."""

from django.core.exceptions import PermissionDenied
from django.db import transaction

from portal.audit import audit_record, snapshot
from portal.models import Membership, Organisation, User
from portal.permissions import MANAGE_ACCOUNTS, can, forget_roles


def _require_account_manager(actor: User | None) -> None:
    """actor=None is the system itself (seed, management commands); superusers act through the admin."""
    if actor is not None and not (actor.is_superuser or can(actor, MANAGE_ACCOUNTS)):
        raise PermissionDenied


ORGANISATION_FIELDS = (
    "kind",
    "name",
    "tax_code",
    "vat_number",
    "comune",
    "province",
    "licence_number",
    "email",
    "pec",
    "country",
    "pic",
    "is_active",
)


def organisation_create(*, actor: User | None, **fields) -> Organisation:
    _require_account_manager(actor)
    organisation = Organisation(**fields)
    organisation.full_clean()
    with transaction.atomic():
        organisation.save()
        audit_record(
            action="organisation.created",
            actor=actor,
            organisation=organisation,
            target=organisation,
            after=snapshot(organisation, ORGANISATION_FIELDS),
        )
    return organisation


def membership_set_role(
    *, actor: User | None, user: User, organisation: Organisation, role: str, is_active: bool = True
) -> Membership:
    """Grant (or revoke, with is_active=False) a role. actor=None means a system action (seed, command)."""
    _require_account_manager(actor)
    return _membership_grant(
        actor=actor, user=user, organisation=organisation, role=role, is_active=is_active
    )


def _membership_grant(
    *, actor: User | None, user: User, organisation: Organisation, role: str, is_active: bool = True
) -> Membership:
    """The write behind membership_set_role and approved access requests; callers check permission."""
    with transaction.atomic():
        membership = (
            Membership.objects.select_for_update()
            .filter(user=user, organisation=organisation, role=role)
            .first()
        )
        before = snapshot(membership, ("role", "is_active")) if membership else None
        if membership is None:
            membership = Membership.objects.create(
                user=user, organisation=organisation, role=role, is_active=is_active
            )
        elif membership.is_active != is_active:
            membership.is_active = is_active
            membership.save(update_fields=["is_active", "updated_at"])
        else:
            return membership
        audit_record(
            action="membership.role_changed",
            actor=actor,
            organisation=organisation,
            target=membership,
            before=before,
            after={**snapshot(membership, ("role", "is_active")), "user": user.email},
        )
    forget_roles(user)
    return membership


def membership_update(
    *, actor: User | None, membership: Membership, role: str, is_active: bool
) -> Membership:
    """Change the role of an existing membership (the admin's edit form)."""
    _require_account_manager(actor)
    with transaction.atomic():
        locked = Membership.objects.select_for_update().get(pk=membership.pk)
        before = snapshot(locked, ("role", "is_active"))
        if before == {"role": role, "is_active": is_active}:
            return locked
        locked.role, locked.is_active = role, is_active
        locked.full_clean()
        locked.save(update_fields=["role", "is_active", "updated_at"])
        audit_record(
            action="membership.role_changed",
            actor=actor,
            organisation=locked.organisation,
            target=locked,
            before=before,
            after={**snapshot(locked, ("role", "is_active")), "user": locked.user.email},
        )
    forget_roles(locked.user)
    return locked


def municipalities_ensure(*, actor: User | None, comuni=None) -> dict[int, Organisation]:
    """Every comune (or the given ones) gets its municipality organisation; returns comune id → org.

    A population split commits money to each comune's municipality, so all 1,181 must exist.
    Missing ones are created in bulk with one audit event naming how many.
    """
    from portal.choices import OrganisationKind
    from portal.models import Comune

    comuni = list(comuni if comuni is not None else Comune.objects.all())
    with transaction.atomic():
        existing = {
            o.comune_id: o
            for o in Organisation.objects.filter(kind=OrganisationKind.MUNICIPALITY, comune__in=comuni)
        }
        missing = [
            Organisation(kind=OrganisationKind.MUNICIPALITY, name=f"Comune di {c.name}", comune=c)
            for c in comuni
            if c.pk not in existing
        ]
        if missing:
            Organisation.objects.bulk_create(missing, batch_size=500)
            existing.update(
                {
                    o.comune_id: o
                    for o in Organisation.objects.filter(
                        kind=OrganisationKind.MUNICIPALITY, comune__in=[m.comune for m in missing]
                    )
                }
            )
            audit_record(
                action="organisation.municipalities_created", actor=actor, after={"created": len(missing)}
            )
    return existing
