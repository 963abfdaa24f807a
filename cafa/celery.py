"""The Celery app. Configuration comes from Django settings (`CELERY_*`); tasks live in each app."""

import logging
import os

from celery import Celery, signals
from django.core.exceptions import ImproperlyConfigured
from kombu.exceptions import OperationalError
from redis.exceptions import RedisError

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cafa.settings")

logger = logging.getLogger(__name__)

app = Celery("cafa")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Periodic jobs (CONTRACT.md §15). Each task is idempotent and safe to run late or twice.
app.conf.beat_schedule = {
    "events-flush-view-counts": {"task": "events.flush_event_view_counts", "schedule": 60.0},
    "payments-expire-reservations": {"task": "payments.expire_reservations", "schedule": 60.0},
    "payments-reconcile": {"task": "payments.reconcile_payments", "schedule": 300.0},
    "payments-purge-idempotent-requests": {"task": "payments.purge_idempotent_requests", "schedule": 86400.0},
    "payouts-reconcile-transfers": {"task": "payouts.reconcile_transfers", "schedule": 300.0},
    "payouts-release-earnings": {"task": "payouts.release_earnings", "schedule": 86400.0},
    "payouts-refresh-bank-list": {"task": "payouts.refresh_bank_list", "schedule": 86400.0},
    "payouts-resume-event-cancellations": {"task": "payouts.resume_event_cancellations", "schedule": 300.0},
    "tickets-event-reminders": {"task": "tickets.send_event_reminders", "schedule": 900.0},
    "tickets-send-due-ticket-emails": {"task": "tickets.send_due_ticket_emails", "schedule": 60.0},
    "tickets-serve-waiting-lists": {"task": "tickets.serve_waiting_lists", "schedule": 60.0},
}


@signals.worker_init.connect
@signals.beat_init.connect
def refuse_misconfiguration(**kwargs):
    """A worker or beat with a configuration error stops before it runs anything (cafa/startup.py)."""
    from cafa.startup import refuse_misconfiguration as check

    try:
        check()
    except ImproperlyConfigured as error:
        raise SystemExit(str(error)) from None  # Celery logs and ignores a receiver's ordinary exception


def enqueue(task_name: str, *args, countdown: float | None = None, **kwargs):
    """Queue a registered task by its name, optionally `countdown` seconds from now.

    Services queue work through this rather than importing their app's tasks module, which
    imports the services: the import graph stays one-way. Eager mode applies as with `.delay()`.
    """
    if task_name not in app.tasks:
        app.loader.import_default_modules()
    return app.tasks[task_name].apply_async(args, kwargs, countdown=countdown)


def enqueue_or_run(task_name: str, *args, **kwargs):
    """Queue a task; when the broker refuses it, run it here and now: slower, but nothing is lost.

    For light work a request can afford to wait for (an account e-mail). The inline run retries and
    fails as the task would (its errors are logged, never raised: tasks do not propagate eagerly).
    """
    try:
        return enqueue(task_name, *args, **kwargs)
    except (OperationalError, RedisError) as error:
        logger.warning("broker_unavailable task=%s action=run_inline error=%r", task_name, str(error))
        return app.tasks[task_name].apply(args, kwargs)
