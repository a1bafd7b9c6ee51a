"""What the inventory does when something happens elsewhere. funding imports these lazily
(funding.services.expenses.verification looks for `expense_report_verifying`), so neither app needs
the other's models at import time."""


def expense_report_verifying(*, report) -> None:
    """Called inside the verification's transaction, before anything is written: refuse (with a
    ValidationError on "devices") when the call requires the registered devices to cover the
    invoiced quantity and they do not."""
    from inventory.services.claims import check_coverage

    check_coverage(report=report)
