"""The Celery application. Tasks take ids, never objects, and are safe to run twice."""

import os

from celery import Celery, signals
from celery.schedules import crontab

from caflab.core import tasklog

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caflab.settings")

app = Celery("caflab")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# One log line per task run (name, outcome, duration, retries; never the arguments).
tasklog.connect()
# Embedded default (no broker): tasks run eagerly, but Celery still opens a producer; give it an
# in-memory transport rather than letting kombu guess an AMQP host on localhost.
if not app.conf.broker_url:
    app.conf.broker_url = "memory://localhost/"


# The worker and beat answer nobody: their broker connections may wait for a slow Redis.
# The settings' short timeouts are the web's (a request never waits on the broker); here a
# publish (a retry, a fan-out batch, a beat tick) waits up to 2 s and its channel check is
# tried twice. Consuming does not depend on socket_timeout (kombu reads BRPOP's reply from its
# event loop only once the socket is readable), but a patient worker also rides out the short
# stalls of a busy Redis instead of reconnecting.
WORKER_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 1,
    "socket_timeout": 2,
    "max_retries": 1,
}


@signals.celeryd_init.connect
@signals.beat_init.connect
def use_patient_broker_timeouts(**kwargs) -> None:
    """Runs before the worker or beat opens any broker connection."""
    app.conf.broker_transport_options = {
        **(app.conf.broker_transport_options or {}),
        **WORKER_BROKER_TRANSPORT_OPTIONS,
    }


@signals.celeryd_init.connect
@signals.beat_init.connect
def refuse_to_start_if_misconfigured(**kwargs) -> None:
    """The worker and beat refuse to start half-configured in production, as the web does
    (caflab.core.checks): the worker is the process that sends the e-mails. Celery logs and
    swallows an exception raised by a signal handler, so exit instead."""
    from django.core.exceptions import ImproperlyConfigured

    from caflab.core import checks

    try:
        checks.refuse_to_start_if_misconfigured()
    except ImproperlyConfigured as exc:
        raise SystemExit(f"ImproperlyConfigured: {exc}") from exc


# Periodic tasks (celery beat), in CELERY_TIMEZONE (Europe/Paris). Each app adds its entries.
app.conf.beat_schedule = {
    # The worker's heartbeat, read by /healthz and the "Exploitation" page. "expires" must
    # stay equal to caflab.core.tasks.HEARTBEAT_EXPIRES_SECONDS (it dates the publishing).
    "core-heartbeat": {
        "task": "caflab.core.tasks.record_heartbeat",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    # Mails left pending by a broker outage or a lost retry go out once Redis is back.
    "notifications-flush-outbox": {
        "task": "caflab.notifications.tasks.flush_outbox",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    "notifications-daily-digest": {
        "task": "caflab.notifications.tasks.send_digests",
        "schedule": crontab(hour=7, minute=0),
        "args": ("daily",),
    },
    "notifications-weekly-digest": {
        "task": "caflab.notifications.tasks.send_digests",
        "schedule": crontab(hour=7, minute=0, day_of_week="mon"),
        "args": ("weekly",),
    },
    "projects-remind-shelved": {
        "task": "projects.tasks.remind_shelved_projects",
        "schedule": crontab(hour=8, minute=0),
    },
    "ideas-remind-shelved": {
        "task": "ideas.tasks.remind_shelved_ideas",
        "schedule": crontab(hour=8, minute=10),
    },
    "projects-remind-due-gate-reviews": {
        "task": "projects.tasks.remind_due_gate_reviews",
        "schedule": crontab(hour=8, minute=5),
    },
    # Consultations open and close at their dates (to the minute).
    "ecoute-open-and-close-consultations": {
        "task": "ecoute.tasks.open_and_close_consultations",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    # Export jobs whose worker died (lease expired, caflab.core.jobs) or whose message was lost
    # while Redis was down are queued again; every minute, so recovery takes minutes.
    "ecoute-requeue-stale-exports": {
        "task": "ecoute.tasks.requeue_stale_exports",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    # Restitution e-mails and import invitations whose worker died (lease expired,
    # caflab.core.jobs) or whose message was lost are queued again, every minute.
    # News of what became of the answers (an answer turned into an idea, its project moving
    # on) whose e-mails to the hear-back addresses were not all sent: queued again.
    "ecoute-resend-hear-back-news": {
        "task": "ecoute.tasks.resend_hear_back_news",
        "schedule": 600.0,
        "options": {"expires": 590},
    },
    # Decision updates whose e-mails to the hear-back addresses were not all sent (SMTP down, a
    # killed worker): announced again, only what is owed goes out.
    "ecoute-resend-decision-updates": {
        "task": "ecoute.tasks.resend_decision_updates",
        "schedule": 600.0,
        "options": {"expires": 590},
    },
    "ecoute-requeue-restitution-mailings": {
        "task": "ecoute.tasks.requeue_restitution_mailings",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    # Theme suggestions (analysis of texts) whose worker died or whose message was lost are
    # queued again, every minute.
    "analysis-requeue-stale-theme-runs": {
        "task": "analysis.tasks.requeue_stale_theme_runs",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    # Exports of coded texts whose worker died (lease expired) or whose message was lost are
    # queued again, every minute; their files (what people wrote, masked) are kept a week.
    "analysis-requeue-stale-exports": {
        "task": "analysis.tasks.requeue_stale_exports",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    "analysis-purge-exports": {
        "task": "analysis.tasks.purge_exports",
        "schedule": crontab(hour=3, minute=35),
    },
    "accounts-requeue-invitation-batches": {
        "task": "caflab.accounts.tasks.requeue_invitation_batches",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    # Anonymous answers waiting for their shuffled batch: written once the oldest has waited
    # the maximum, or the consultation (or survey) no longer takes answers.
    "ecoute-write-anonymous-batches": {
        "task": "ecoute.tasks.write_anonymous_batches",
        "schedule": 600.0,
        "options": {"expires": 590},
    },
    # Results snapshots: refreshes whose message was lost, counts behind their answers.
    "ecoute-refresh-stale-results": {
        "task": "ecoute.tasks.refresh_stale_results",
        "schedule": 600.0,
        "options": {"expires": 590},
    },
    # Export files (what people wrote) are kept a week.
    "ecoute-purge-exports": {
        "task": "ecoute.tasks.purge_exports",
        "schedule": crontab(hour=3, minute=30),
    },
    # écoute phase 2: restitution reminders and e-mails, participants' reminders the day
    # before, purge of visitors' contact details (each idempotent, recorded per row).
    "ecoute-daily-restitution-and-recruitment": {
        "task": "ecoute.tasks.daily_restitution_and_recruitment",
        "schedule": crontab(hour=9, minute=0),
    },
    # Events: the confirmed participants of tomorrow's events are reminded (once each).
    "events-send-reminders": {
        "task": "events.tasks.send_reminders",
        "schedule": crontab(hour=9, minute=10),
    },
    # The incubator's decisions a broker outage left untold (each applicant told once).
    "incubator-tell-pending-decisions": {
        "task": "incubator.tasks.tell_pending_decisions",
        "schedule": crontab(hour=9, minute=20),
    },
    # Personal data of consultations past their retention period is erased (RGPD).
    "ecoute-purge-personal-data": {
        "task": "ecoute.tasks.purge_personal_data",
        "schedule": crontab(hour=3, minute=45),
    },
    # Survey invitations whose message was lost while Redis was down go out again.
    "evaluation-send-pending-survey-invitations": {
        "task": "evaluation.tasks_participation.send_pending_survey_invitations",
        "schedule": 600.0,
        "options": {"expires": 590},
    },
    # Invitation addresses are erased once their wave is over.
    "evaluation-erase-expired-invitation-addresses": {
        "task": "evaluation.tasks_participation.erase_expired_invitation_addresses",
        "schedule": crontab(hour=3, minute=40),
    },
    # An indicator whose period just ended without a measurement: its owner is reminded, once.
    "evaluation-remind-due-measurements": {
        "task": "evaluation.tasks.remind_due_measurements",
        "schedule": crontab(hour=8, minute=20),
    },
    # Impact reports whose worker died (lease expired) or whose message was lost are queued
    # again, every minute.
    "evaluation-requeue-stale-reports": {
        "task": "evaluation.tasks.requeue_stale_reports",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    # Owners of management actions due soon or late are reminded (at most once a week).
    "evaluation-remind-management-actions": {
        "task": "evaluation.tasks.remind_management_actions",
        "schedule": crontab(hour=8, minute=20),
    },
    # Notifications and sent e-mails past their retention period are erased (RGPD).
    "notifications-purge": {
        "task": "caflab.notifications.tasks.purge_notifications",
        "schedule": crontab(hour=3, minute=50),
    },
    # Citizens' and partners' accounts unused for two years, and sign-ups never confirmed.
    "accounts-purge-inactive": {
        "task": "caflab.accounts.tasks.purge_inactive_accounts",
        "schedule": crontab(hour=4, minute=0),
    },
    # Open data (caflab.opendata): every public dataset written again each night, and runs
    # whose worker died or whose message was lost queued again.
    "opendata-generate-nightly": {
        "task": "caflab.opendata.tasks.generate_nightly",
        "schedule": crontab(hour=2, minute=30),
    },
    "opendata-requeue-stale-runs": {
        "task": "caflab.opendata.tasks.requeue_stale_runs",
        "schedule": 600.0,
        "options": {"expires": 590},
    },
    # The audit trail's rows past AUDIT_RETENTION_DAYS (caflab.core.audit).
    "core-purge-audit-trail": {
        "task": "caflab.core.tasks.purge_audit_trail",
        "schedule": crontab(hour=4, minute=10),
    },
}
