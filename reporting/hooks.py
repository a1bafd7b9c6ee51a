"""What the reporting app does when something happens elsewhere. Other apps import these lazily
(funding.services.allocation.adopt looks for `allocation_adopted`), so neither app needs the
other's models at import time."""


def allocation_adopted(allocation_id: int) -> None:
    """Called once an allocation's adoption has committed: queue the act's PDFs (the annex and,
    for a ranked call, the ranking). Calling it again renders and stores nothing new: generated,
    running or failed documents are left as they are, and a queued job runs once."""
    from reporting.services.annex import annex_schedule

    annex_schedule(allocation_id=allocation_id)
