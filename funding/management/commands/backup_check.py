"""What a restored backup must still hold, as JSON: the ledger's counts and sums, the audit trail's
hash chain verified, every stored document and act PDF read back against its SHA-256.

Run it on the live portal before a backup and on the restored copy (README, "Backup and restore"):
the two outputs must be equal, and the command fails when the chain is broken or a file is missing
or changed.
"""

import hashlib
import json

from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count, Sum

from funding.models import Allocation, Commitment, Document, Economy, Liquidation, Reservation
from portal.audit import audit_verify_chain

LEDGER = {
    "reservations": Reservation,
    "commitments": Commitment,
    "liquidations": Liquidation,
    "economies": Economy,
}


def _sha256(name: str) -> str | None:
    if not name or not default_storage.exists(name):
        return None
    digest = hashlib.sha256()
    with default_storage.open(name, "rb") as stored:
        for chunk in iter(lambda: stored.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


def backup_state() -> dict:
    ledger = {}
    for name, model in LEDGER.items():
        totals = model.objects.aggregate(rows=Count("pk"), amount=Sum("amount"))
        ledger[name] = {"rows": totals["rows"], "amount": str(totals["amount"] or "0.00")}
    chain = audit_verify_chain()
    files = [(f"document {d.pk}", d.file.name, d.sha256) for d in Document.objects.order_by("pk")]
    for allocation in Allocation.objects.exclude(annex_pdf="").order_by("pk"):
        files.append((f"annex {allocation.pk}", allocation.annex_pdf.name, allocation.annex_sha256))
        if allocation.ranking_pdf:
            files.append((f"ranking {allocation.pk}", allocation.ranking_pdf.name, allocation.ranking_sha256))
    mismatched = [label for label, name, expected in files if _sha256(name) != expected]
    return {
        "ledger": ledger,
        "audit": {"ok": chain.ok, "events": chain.checked, "first_broken": chain.first_broken_seq},
        "files": {"checked": len(files), "mismatched": mismatched},
    }


class Command(BaseCommand):
    help = "Print the ledger's sums, the audit chain's state and the stored files' SHA-256 check (JSON)."

    def handle(self, *args, **options):
        state = backup_state()
        self.stdout.write(json.dumps(state, indent=2, sort_keys=True))
        if not state["audit"]["ok"] or state["files"]["mismatched"]:
            raise CommandError("The audit chain is broken or stored files are missing or changed.")
