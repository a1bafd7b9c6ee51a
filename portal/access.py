"""Access requests of self-registered users: request, then an administrator or official decides."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.audit import audit_record, snapshot
from portal.choices import OrganisationKind, Role
from portal.models import AccessRequest, AccessRequestStatus, Membership, Organisation, User
from portal.notifications import notify
from portal.permissions import APPROVE_ACCESS, CAPABILITIES, require
from portal.services import _membership_grant, municipalities_ensure, organisation_create
from portal.validators import normalise_tax_code

ERROR_REQUIRED = _("This field is required for this kind of request.")
ERROR_PERSON_TAX_CODE = _("A taxi licensee is a person: enter the 16-character codice fiscale.")
ERROR_BODY_TAX_CODE = _("A body has an 11-digit codice fiscale.")
ERROR_ALREADY_DECIDED = _("This request has already been decided.")
ERROR_REASON_REQUIRED = _("Say why the request is rejected.")
ERROR_LICENCE_TAKEN = _("This licence is registered to a different codice fiscale: contact the Region.")

REQUEST_FIELDS = ("kind", "organisation_name", "tax_code", "comune", "licence_number", "status")


def _validate(request: AccessRequest) -> None:
    errors = {}
    required = {
        OrganisationKind.TAXI_LICENSEE: ("organisation_name", "tax_code", "comune", "licence_number"),
        OrganisationKind.MUNICIPALITY: ("comune",),
        OrganisationKind.OTHER: ("organisation_name", "tax_code"),
    }[request.kind]
    for name in required:
        if not getattr(request, name if name != "comune" else "comune_id"):
            errors[name] = ERROR_REQUIRED
    if request.tax_code and "tax_code" not in errors:
        if request.kind == OrganisationKind.TAXI_LICENSEE and len(request.tax_code) != 16:
            errors["tax_code"] = ERROR_PERSON_TAX_CODE
        if request.kind == OrganisationKind.OTHER and len(request.tax_code) != 11:
            errors["tax_code"] = ERROR_BODY_TAX_CODE
    if errors:
        raise ValidationError(errors)


def access_request_create(*, user: User, **fields) -> AccessRequest:
    request = AccessRequest(user=user, **fields)
    if request.tax_code:
        request.tax_code = normalise_tax_code(request.tax_code)
    request.licence_number = request.licence_number.strip().upper()
    request.full_clean(exclude=["user", "organisation", "decided_by"])
    _validate(request)
    with transaction.atomic():
        request.save()
        event = audit_record(
            action="access_request.created",
            actor=user,
            target=request,
            after=snapshot(request, REQUEST_FIELDS),
        )
        approvers = Membership.objects.filter(
            role__in=CAPABILITIES[APPROVE_ACCESS], is_active=True, user__is_active=True
        ).values_list("user__email", flat=True)
        notify(
            key=f"audit:{event.seq}",
            recipients=list(approvers),
            subject=str(_("[Sentinella] New access request from %(email)s")) % {"email": user.email},
            body=f"{request.get_kind_display()}: {request.organisation_name or request.comune}\n"
            f"{settings.SITE_URL}/access-requests/{request.pk}/",
        )
    return request


def _organisation_for(request: AccessRequest, actor: User) -> Organisation:
    if request.kind == OrganisationKind.MUNICIPALITY:
        return municipalities_ensure(actor=actor, comuni=[request.comune])[request.comune_id]
    if request.kind == OrganisationKind.TAXI_LICENSEE:
        existing = Organisation.objects.filter(
            kind=OrganisationKind.TAXI_LICENSEE, comune=request.comune, licence_number=request.licence_number
        ).first()
        if existing:
            if existing.tax_code != request.tax_code:
                raise ValidationError({"licence_number": ERROR_LICENCE_TAKEN})
            return existing
        return organisation_create(
            actor=None,
            kind=OrganisationKind.TAXI_LICENSEE,
            name=request.organisation_name,
            tax_code=request.tax_code,
            comune=request.comune,
            licence_number=request.licence_number,
        )
    existing = Organisation.objects.filter(tax_code=request.tax_code).first()
    return existing or organisation_create(
        actor=None, kind=OrganisationKind.OTHER, name=request.organisation_name, tax_code=request.tax_code
    )


def access_request_decide(
    *, actor: User, request: AccessRequest, approve: bool, reason: str = ""
) -> AccessRequest:
    """Approve (the user becomes an applicant of the organisation) or reject with a reason."""
    require(actor, APPROVE_ACCESS)
    if not approve and not reason.strip():
        raise ValidationError({"decision_reason": ERROR_REASON_REQUIRED})
    with transaction.atomic():
        locked = (
            AccessRequest.objects.select_for_update(of=("self",))
            .select_related("user", "comune")
            .get(pk=request.pk)
        )
        if locked.status != AccessRequestStatus.PENDING:
            raise ValidationError(ERROR_ALREADY_DECIDED, code="decided")
        if approve:
            locked.organisation = _organisation_for(locked, actor)
            _membership_grant(
                actor=actor, user=locked.user, organisation=locked.organisation, role=Role.APPLICANT
            )
        locked.status = AccessRequestStatus.APPROVED if approve else AccessRequestStatus.REJECTED
        locked.decided_by, locked.decided_at, locked.decision_reason = actor, timezone.now(), reason.strip()
        locked.save(update_fields=["status", "organisation", "decided_by", "decided_at", "decision_reason"])
        event = audit_record(
            action=f"access_request.{locked.status}",
            actor=actor,
            organisation=locked.organisation,
            target=locked,
            before={"status": AccessRequestStatus.PENDING},
            after=snapshot(locked, REQUEST_FIELDS),
        )
        notify(
            key=f"audit:{event.seq}",
            recipients=[locked.user.email],
            subject=str(_("[Sentinella] Your access request: %(status)s"))
            % {"status": locked.get_status_display()},
            body=(reason or "") + f"\n{settings.SITE_URL}/",
        )
    return locked
