"""Publication of grants under D.Lgs. 33/2013 art. 26-27 (the reads are in
funding.selectors.transparency): refused, naming them, while a body has no codice fiscale; audited."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from funding.models import Commitment, GrantPublication
from funding.selectors.transparency import PERSON_KINDS, transparency_grants
from portal.audit import AuditEntry, audit_record_many
from portal.models import User
from portal.permissions import LEDGER_WRITE, require

ERROR_NO_TAX_CODE = _(
    "Nothing was published: art. 27 publishes each body with its codice fiscale, and these beneficiaries "
    "have none: %(names)s. Import their codici fiscali first."
)


def _names(names: list[str], shown: int = 10) -> str:
    if len(names) <= shown:
        return ", ".join(names)
    more = len(names) - shown
    return ngettext("%(names)s and %(n)s more", "%(names)s and %(n)s more", more) % {
        "names": ", ".join(names[:shown]),
        "n": more,
    }


def check_tax_codes(commitments: list[Commitment]) -> None:
    """Art. 27 publishes a body with its codice fiscale: refuse, naming them, bodies without one."""
    without = sorted(
        {
            c.beneficiary.name
            for c in commitments
            if c.beneficiary.kind not in PERSON_KINDS and not c.beneficiary.tax_code
        }
    )
    if without:
        raise ValidationError(
            {
                "grant": ValidationError(
                    ERROR_NO_TAX_CODE, params={"names": _names(without)}, code="no_tax_code"
                )
            }
        )


def grants_publish(*, actor: User, commitments: list[Commitment]) -> list[GrantPublication]:
    """Publish the given grants (those already published are left as they are)."""
    require(actor, LEDGER_WRITE)
    ids = [c.pk for c in commitments]
    with transaction.atomic():
        pending = list(
            transparency_grants()
            .filter(pk__in=ids, publication__isnull=True)
            .select_for_update(of=("self",))
            .order_by("pk")
        )
        check_tax_codes(pending)
        now = timezone.now()
        publications = GrantPublication.objects.bulk_create(
            [GrantPublication(commitment=c, published_at=now, published_by=actor) for c in pending]
        )
        audit_record_many(
            [
                AuditEntry(
                    action="transparency.published",
                    actor=actor,
                    organisation=c.beneficiary,
                    target=c,
                    after={"published_at": now.isoformat(), "amount": str(c.amount)},
                )
                for c in pending
            ]
        )
    return publications
