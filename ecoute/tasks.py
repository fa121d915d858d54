"""Celery tasks of the écoute app: ids in, safe to run twice (acks_late).

The beat schedule (caflab/celery.py) runs `open_and_close_consultations` and
`requeue_stale_exports` (exports whose worker died, caflab.core.jobs) every minute,
`refresh_stale_results`, `write_anonymous_batches` and `resend_hear_back_news` every ten
minutes, `purge_exports` and
`purge_personal_data` daily, and (phase 2)
`daily_restitution_and_recruitment` every morning.
"""

from celery import shared_task


@shared_task(acks_late=True)
def open_and_close_consultations() -> list[int]:
    """Open scheduled consultations whose date has come, close those past their end."""
    from ecoute.services.consultations import consultations_open_and_close

    return list(consultations_open_and_close())


@shared_task(acks_late=True)
def build_export(job_id: int) -> str:
    from ecoute.services.exports import export_build

    return export_build(job_id=job_id)


@shared_task(acks_late=True)
def requeue_stale_exports() -> int:
    from ecoute.services.exports import exports_requeue_stale

    return exports_requeue_stale()


@shared_task(acks_late=True)
def write_anonymous_batches() -> int:
    """Every ten minutes (beat): write the anonymous answers whose batch is due."""
    from ecoute.services.batches import pending_flush_due

    return pending_flush_due()


@shared_task(acks_late=True)
def write_anonymous_batch(questionnaire_id: int) -> int:
    """Write everything waiting for `questionnaire_id` (its consultation has closed)."""
    from ecoute.services.batches import pending_flush

    return pending_flush(questionnaire_id)


@shared_task(acks_late=True)
def purge_exports() -> int:
    from ecoute.services.exports import exports_purge

    return exports_purge()


# --- phase 2: restitution and recruitment ------------------------------------------------------


@shared_task(acks_late=True)
def send_restitution_mailing(mailing_id: int) -> int:
    """E-mail the hear-back addresses of a published restitution, each once (a leased job)."""
    from ecoute.services.restitution import restitution_mailing_run

    return restitution_mailing_run(mailing_id=mailing_id)


@shared_task(acks_late=True)
def requeue_restitution_mailings() -> int:
    """Every minute (beat): restitution mailings whose worker died or whose message was lost."""
    from ecoute.services.restitution import restitution_mailings_requeue

    return restitution_mailings_requeue()


@shared_task(acks_late=True)
def send_restitution_emails(restitution_id: int) -> int:
    """Queued by the release before mailings (kept for the messages still in the broker during
    a deployment): the restitution's e-mails still owed, each address once."""
    from ecoute.services.restitution import restitution_send_emails

    return restitution_send_emails(restitution_id=restitution_id)


@shared_task(acks_late=True)
def announce_decision_update(update_id: int) -> int:
    """Tell the people who took part that a decision of the restitution moved (once each)."""
    from ecoute.services.decisions import decision_update_announce

    return decision_update_announce(update_id=update_id)


@shared_task(acks_late=True)
def send_registration_email(registration_id: int, kind: str) -> bool:
    """One registration e-mail: "confirmation", "promotion" or "reminder", once."""
    from ecoute.services.recruitment import registration_send_email

    return registration_send_email(registration_id=registration_id, kind=kind)


@shared_task(acks_late=True)
def daily_restitution_and_recruitment() -> dict[str, int]:
    """Daily: remind (owner, then the lab, then the sponsor directorate) of closed consultations
    without a restitution, re-send restitution
    e-mails left unsent, remind tomorrow's participants, purge visitors' contact details past
    retention. Each step is idempotent (recorded per consultation or registration)."""
    from ecoute.services.recruitment import registrations_purge, registrations_remind
    from ecoute.services.restitution import restitution_emails_resend, restitution_reminders_send

    return {
        "restitution_reminders": restitution_reminders_send(),
        "restitution_emails": restitution_emails_resend(),
        "registration_reminders": registrations_remind(),
        "registrations_purged": registrations_purge(),
    }


# --- communities and personal data (phase 2) ---------------------------------------------------


@shared_task(acks_late=True)
def send_community_invitation(invitation_id: int) -> bool:
    """Mail a community invitation's signed link (once: a sent invitation is skipped)."""
    from ecoute.services.communities import invitation_send

    return invitation_send(invitation_id=invitation_id)


@shared_task(acks_late=True)
def invite_community_to_consultation(consultation_id: int) -> int:
    """Invite the active members of a community consultation (once per member)."""
    from ecoute.services.communities import community_members_invite

    return community_members_invite(consultation_id=consultation_id)


@shared_task(acks_late=True)
def purge_personal_data() -> int:
    """Daily: erase the personal data of consultations past their retention period, and the
    addresses of community invitations whose link has expired."""
    from ecoute.services.communities import invitations_purge_expired
    from ecoute.services.retention import consultations_purge_personal_data

    purged = consultations_purge_personal_data()
    invitations_purge_expired()
    return purged


# --- results kept computed (national scale) ----------------------------------------------------


@shared_task(acks_late=True)
def refresh_results(questionnaire_id: int) -> int:
    """Recompute a questionnaire's results snapshots (queued, debounced, by its submissions)."""
    from ecoute.services.results import results_refresh

    return results_refresh(questionnaire_id=questionnaire_id)


@shared_task(acks_late=True)
def refresh_stale_results() -> int:
    """Periodic safety net: refreshes whose message was lost, snapshots behind their answers."""
    from ecoute.services.results import results_refresh_stale

    return results_refresh_stale()


@shared_task(acks_late=True)
def send_hear_back_news(news_id: int) -> int:
    """E-mail a news of what became of the answers to the addresses left to hear back."""
    from ecoute.services.hear_back import news_send

    return news_send(news_id=news_id)


@shared_task(acks_late=True)
def resend_hear_back_news() -> int:
    """Every ten minutes (beat): the news whose e-mails were not all sent, queued again."""
    from ecoute.services.hear_back import news_resend

    return news_resend()


@shared_task(acks_late=True)
def resend_decision_updates() -> int:
    """Every ten minutes (beat): the decision updates of the last week whose e-mails to the
    hear-back addresses were not all sent, announced again (only what is owed goes out)."""
    from ecoute.services.decisions import decision_updates_resend

    return decision_updates_resend()
