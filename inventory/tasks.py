from celery import shared_task


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
