from celery import shared_task


@shared_task(name="inventory.analytics_rules")
def analytics_rules(source_id: int, since: str, until: str) -> int:
    """After a batch is stored: the source's threshold rules, one notification per episode."""
    import datetime

    from inventory.services.rules import rules_evaluate

    return rules_evaluate(
        source_id=source_id,
        since=datetime.datetime.fromisoformat(since),
        until=datetime.datetime.fromisoformat(until),
    )


@shared_task(name="inventory.analytics_maintenance")
def analytics_maintenance() -> dict:
    """Daily (Celery beat): the events' partitions of the coming months, then retention (raw events
    older than ANALYTICS_RETENTION_DAYS deleted, whole partitions dropped; daily figures kept)."""
    from inventory.services.partitions import events_maintain

    run = events_maintain()
    return {
        "created": [m.isoformat() for m in run.created],
        "dropped": [m.isoformat() for m in run.dropped],
        "deleted": run.deleted,
    }
