"""What the inventory does when something happens elsewhere (funding.services.expenses.verification
calls `expense_report_verifying`). This module imports nothing at load and each hook imports the
inventory's services when called, so funding may import it at the top without needing the inventory's
models at import time."""


def expense_report_verifying(*, report) -> None:
    """Called inside the verification's transaction, before anything is written: refuse (with a
    ValidationError on "devices") when the call requires the registered devices to cover the
    invoiced quantity and they do not."""
    from inventory.services.claims import check_coverage

    check_coverage(report=report)
