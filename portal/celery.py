"""The Celery app. Configured from Django settings (CELERY_ namespace): JSON only, time limits,
late acknowledgement with reject-on-worker-lost. Every task runs with the audit source "job"."""

import os

from celery import Celery, Task

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")


class AuditedTask(Task):
    """Tasks are thin: they fetch by id and call a service; this base marks their audit source."""

    def __call__(self, *args, **kwargs):
        from portal.context import action_context
        from portal.models.audit import AuditSource

        request_id = getattr(self.request, "id", None) or ""
        with action_context(source=AuditSource.JOB, request_id=str(request_id)[:64], ip_address=None):
            return super().__call__(*args, **kwargs)


app = Celery("sentinella", task_cls=AuditedTask)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def _register_worker_presence() -> None:
    from portal.workers import WorkerPresence

    app.steps["worker"].add(WorkerPresence)


_register_worker_presence()
