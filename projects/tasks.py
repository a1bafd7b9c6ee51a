from celery import shared_task


@shared_task(name="projects.send_reminders")
def send_reminders() -> dict:
    """Daily (Celery beat): the reminders of deliverables and periodic reports due today."""
    from projects.services.reminders import reminders_send

    run = reminders_send()
    return {"sent": run.sent, "skipped": run.skipped, "emails": run.emails}
