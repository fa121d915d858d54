"""Restitution flows: write the draft (synthesis and decisions), publish it once, e-mail each
hear-back address once, and remind owners of closed consultations still waiting for theirs.

The e-mails go out in a leased job (`RestitutionMailing`, caflab.core.jobs): its worker renews
the lease every HEARTBEAT_EVERY addresses; a worker killed mid-way is replaced by the beat's
per-minute requeue once the lease expires, at most JOB_MAX_ATTEMPTS times, then the run is
failed and the consultation's dashboard offers "Relancer". Each address is told once whatever
the number of runs (`RestitutionEmail`)."""

import datetime
import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from caflab.core import jobs
from caflab.core.errors import InvalidState, NotAllowedNow
from caflab.core.mail import MailAction
from caflab.core.queueing import enqueue_on_commit
from caflab.notifications.services import notify
from ecoute import tasks
from ecoute.models import (
    Consultation,
    Decision,
    HearBackRequest,
    Response,
    Restitution,
    RestitutionEmail,
    RestitutionMailing,
    RestitutionReminder,
)
from ecoute.models.consultations import restitution_reminder_days
from ecoute.public_cache import public_changed
from ecoute.services.common import AlreadyDone
from ecoute.services.hear_back import send_each_once

logger = logging.getLogger(__name__)
Status = Consultation.Status

# A mailing renews its lease (and saves its progress) every this many addresses.
HEARTBEAT_EVERY = 50

# Statuses where a restitution may be published: once the consultation has been answered.
PUBLISHABLE = (Status.OPEN, Status.CLOSED, Status.RESULTS_PUBLISHED, Status.ARCHIVED)


@dataclass(frozen=True)
class DecisionSpec:
    said: str
    done: str
    project: Any = None
    pk: int | None = None  # an existing decision of this restitution, kept with its follow-up


# --- a first draft of the synthesis from what other apps know ---------------------------------

SynthesisDraft = Any  # (consultation, user) -> str: "" when it has nothing to say
_synthesis_drafts: list[SynthesisDraft] = []


def register_synthesis_draft(fn: SynthesisDraft) -> SynthesisDraft:
    """An app above écoute offers the first draft of a restitution's synthesis ("vous avez
    dit…"): the analysis of what people wrote does, from its codes. Idempotent."""
    if fn not in _synthesis_drafts:
        _synthesis_drafts.append(fn)
    return fn


def synthesis_draft(consultation: Consultation, user: Any) -> str:
    """What the registered drafters propose for a restitution not written yet ("" if none)."""
    parts = [fn(consultation, user) for fn in _synthesis_drafts]
    return "\n\n".join(part for part in parts if part)


def reminder_days() -> int:
    return restitution_reminder_days()


@transaction.atomic
def restitution_save(
    *, consultation: Consultation, by: Any, synthesis: str, decisions: list[DecisionSpec]
) -> Restitution:
    """Create or update the consultation's restitution and its decisions: those given with
    their `pk` are corrected in place (their follow-up kept), new ones added, those left out
    removed, unless they have a follow-up (history is never deleted: abandon it instead).
    Editing a published restitution corrects it without telling anyone again."""
    restitution, _created = Restitution.objects.select_for_update().get_or_create(
        consultation=consultation, defaults={"synthesis": synthesis}
    )
    restitution.synthesis = synthesis
    restitution.save(update_fields=["synthesis", "updated_at"])
    existing = {d.pk: d for d in restitution.decisions.select_for_update()}
    kept: set[int] = set()
    for position, spec in enumerate(decisions, start=1):
        decision = existing.get(spec.pk) if spec.pk else None
        if decision is None or decision.pk in kept:
            Decision.objects.create(
                restitution=restitution,
                said=spec.said,
                done=spec.done,
                project=spec.project,
                position=position,
            )
            continue
        kept.add(decision.pk)
        decision.said, decision.done, decision.project = spec.said, spec.done, spec.project
        decision.position = position
        decision.save(update_fields=["said", "done", "project", "position", "updated_at"])
    removed = [pk for pk in existing if pk not in kept]
    followed = (
        Decision.objects.filter(pk__in=removed, updates__isnull=False).order_by("position").first()
    )
    if followed is not None:
        raise InvalidState(
            _(
                "La décision « %(said)s » a un suivi : elle ne peut pas être retirée. "
                "Passez-la en « abandonnée », avec la raison, depuis son suivi."
            )
            % {"said": followed.said[:80]}
        )
    Decision.objects.filter(pk__in=removed).delete()
    public_changed()  # bulk writes send no signal
    return restitution


@transaction.atomic
def restitution_publish(
    *, consultation: Consultation, by: Any, now: datetime.datetime | None = None
) -> Restitution:
    """Publish the restitution: once (a second click or a race → AlreadyDone). A closed
    consultation moves to "results published". Respondents with an account are notified in the
    app; every hear-back address is e-mailed by a task, once."""
    now = now or timezone.now()
    locked = Consultation.objects.select_for_update().get(pk=consultation.pk)
    restitution = Restitution.objects.select_for_update().filter(consultation=locked).first()
    if restitution is None:
        raise InvalidState(_("Rédigez la restitution avant de la publier."))
    if restitution.is_published:
        raise AlreadyDone(_("Cette restitution est déjà publiée."))
    if locked.status not in PUBLISHABLE:
        raise NotAllowedNow(_("La restitution se publie une fois la consultation ouverte."))
    if not restitution.synthesis.strip():
        raise InvalidState(_("Écrivez la synthèse avant de publier."))
    restitution.status = Restitution.Status.PUBLISHED
    restitution.published_at = now
    restitution.published_by = by
    restitution.save(update_fields=["status", "published_at", "published_by", "updated_at"])
    if locked.status == Status.CLOSED:
        locked.publish_results(now, by=by)
    restitution.consultation = locked
    _notify_respondents(restitution, by)
    restitution_mailing_request(restitution=restitution, by=by)
    return restitution


def _notify_respondents(restitution: Restitution, by: Any) -> None:
    """Respondents with an account (named answers only) hear it in the app; those who also left
    their address get the e-mail instead, not both."""
    consultation = restitution.consultation
    questionnaire = getattr(consultation, "questionnaire", None)
    if questionnaire is None:
        return
    from caflab.accounts.models import User

    addresses = HearBackRequest.objects.filter(questionnaire=questionnaire).values("email")
    respondents = (
        User.objects.filter(
            pk__in=Response.objects.filter(
                questionnaire=questionnaire, respondent__isnull=False
            ).values("respondent")
        )
        .exclude(email__in=addresses)
        .order_by("pk")
    )
    notify(
        recipients=respondents,
        kind="ecoute.restitution",
        title=_("Vous avez dit, nous avons fait : « %(title)s »") % {"title": consultation.title},
        body=_("La restitution de la consultation à laquelle vous avez répondu est publiée."),
        url=restitution.get_absolute_url(),
        actor=by,
        own_contribution=True,
    )


def _render_email(restitution: Restitution) -> tuple[str, str, str]:
    """The subject, the plain text (the Markdown as plain text) and the HTML message (the
    Markdown rendered and sanitised, as on the restitution's page) of its e-mail."""
    consultation = restitution.consultation
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("[CafLab] Vous avez dit, nous avons fait : %(title)s") % {
            "title": " ".join(consultation.title.split())[:150]
        }
        context = {
            "consultation": consultation,
            "restitution": restitution,
            "decisions": list(restitution.decisions.all()),
            "link": f"{settings.SITE_URL}{restitution.get_absolute_url()}",
        }
        body = render_to_string("ecoute/restitution/email.txt", context)
        html = render_to_string("ecoute/restitution/email.html", context)
    return subject, body, html


def _pending_addresses(restitution: Restitution) -> Any:
    return HearBackRequest.objects.filter(
        questionnaire=restitution.consultation.questionnaire
    ).exclude(pk__in=RestitutionEmail.objects.filter(restitution=restitution).values("hear_back"))


def _mailing_for(restitution: Restitution, by: Any) -> tuple[RestitutionMailing, bool]:
    """The run to follow: the one waiting, or a fresh one (True). A run whose worker stopped
    answering (lease expired) is abandoned and replaced."""
    mailings = RestitutionMailing.objects.filter(restitution=restitution)
    jobs.abandon_stuck(mailings)
    waiting = mailings.in_progress().first()
    if waiting is not None:
        return waiting, False
    total = _pending_addresses(restitution).count()
    return RestitutionMailing.objects.create(
        restitution=restitution, requested_by=by, total=total
    ), True


@transaction.atomic
def restitution_mailing_request(*, restitution: Restitution, by: Any) -> RestitutionMailing:
    """Ask for the restitution's e-mails to go out (queued after the commit); a double request
    returns the run already waiting."""
    mailing, created = _mailing_for(restitution, by)
    if created:
        enqueue_on_commit(tasks.send_restitution_mailing, mailing.pk)
    return mailing


@transaction.atomic
def restitution_mailing_retry(*, restitution: Restitution, by: Any) -> RestitutionMailing:
    """ "Relancer" on a failed run (or one whose worker stopped answering): a fresh run for the
    addresses not told yet; the failed one stays, as a record."""
    latest = RestitutionMailing.objects.filter(restitution=restitution).first()
    if latest is None or not (latest.status == RestitutionMailing.Status.FAILED or latest.is_stuck):
        raise AlreadyDone(_("L’envoi des e-mails n’a pas échoué : il n’y a rien à relancer."))
    return restitution_mailing_request(restitution=restitution, by=by)


def restitution_mailing_run(*, mailing_id: int) -> int:
    """E-mail every hear-back address of the consultation, one e-mail per address, each once:
    the RestitutionEmail row is written in the transaction that sends, so a re-run (or a second
    worker, blocked on the unique index) skips it. Safe to run twice: a finished run, or one a
    live worker holds, is skipped. A failed sending rolls its row back; the run then ends
    failed ("Relancer") and the daily task tries again. Returns how many e-mails went out."""
    attempt = jobs.claim(RestitutionMailing, mailing_id)
    if attempt is None:
        return 0
    mailing = RestitutionMailing.objects.select_related(
        "restitution__consultation__questionnaire"
    ).get(pk=mailing_id)
    restitution = mailing.restitution
    subject, body, html = _render_email(restitution)
    total = mailing.total
    done = RestitutionEmail.objects.filter(restitution=restitution).count()
    so_far = [0]

    def beat(sent: int) -> None:
        so_far[0] = sent
        if sent % HEARTBEAT_EVERY == 0:
            jobs.heartbeat(
                RestitutionMailing,
                mailing_id,
                attempt,
                sent_count=mailing.sent_count + sent,
                progress=min(99, int(100 * (done + sent) / total)) if total else 0,
            )

    try:
        sent, failed = send_each_once(
            questionnaire_id=restitution.consultation.questionnaire.pk,
            told=RestitutionEmail.objects.filter(restitution=restitution),
            record=lambda hear_back: RestitutionEmail(restitution=restitution, hear_back=hear_back),
            subject=subject,
            body=body,
            html=html,
            what=f"Restitution {restitution.pk}",
            on_sent=beat,
            action=MailAction(
                _("Lire la restitution"), f"{settings.SITE_URL}{restitution.get_absolute_url()}"
            ),
        )
    except jobs.LeaseLost:
        logger.warning("Restitution mailing %s: attempt %s lost its lease.", mailing_id, attempt)
        return so_far[0]
    sent_count = mailing.sent_count + sent
    if failed:
        jobs.heartbeat(RestitutionMailing, mailing_id, attempt, sent_count=sent_count)
        jobs.fail(
            RestitutionMailing,
            mailing_id,
            attempt,
            error=_(
                "%(n)s e-mail(s) n’ont pas pu partir (serveur d’e-mails indisponible) ; "
                "relancez l’envoi, ou il sera retenté demain."
            )
            % {"n": failed},
        )
        return sent
    if jobs.complete(RestitutionMailing, mailing_id, attempt, sent_count=sent_count):
        Restitution.objects.filter(pk=restitution.pk, emails_done_at__isnull=True).update(
            emails_done_at=timezone.now()
        )
    return sent


def restitution_send_emails(*, restitution_id: int) -> int:
    """Send now the e-mails a published restitution still owes (the daily catch-up, and the
    messages of the release before mailings): the waiting run, or a fresh one. Returns how many
    e-mails went out."""
    restitution = Restitution.objects.published().filter(pk=restitution_id).first()
    if restitution is None or restitution.emails_done_at:
        return 0
    with transaction.atomic():
        mailing, _created = _mailing_for(restitution, None)
    return restitution_mailing_run(mailing_id=mailing.pk)


def restitution_emails_resend() -> int:
    """Published restitutions whose e-mails are not all out (an SMTP outage, a failed run)."""
    sent = 0
    for pk in (
        Restitution.objects.published()
        .filter(emails_done_at__isnull=True)
        .values_list("pk", flat=True)
    ):
        sent += restitution_send_emails(restitution_id=pk)
    return sent


def restitution_mailings_requeue(now: datetime.datetime | None = None) -> int:
    """Run by the beat every minute: queue again the runs whose worker died (lease expired) or
    whose message was lost; those out of attempts are marked failed, their requester told."""
    return jobs.requeue_expired(
        RestitutionMailing,
        tasks.send_restitution_mailing,
        now=now,
        on_exhausted=_tell_mailing_failed,
    )


def _tell_mailing_failed(mailing_id: int) -> None:
    mailing = RestitutionMailing.objects.select_related(
        "restitution__consultation", "requested_by"
    ).get(pk=mailing_id)
    if mailing.requested_by is None:
        return
    consultation = mailing.restitution.consultation
    notify(
        recipients=[mailing.requested_by],
        kind="ecoute.restitution_mailing_failed",
        title=_("L’envoi des e-mails de la restitution « %(title)s » a échoué")
        % {"title": consultation.title},
        body=mailing.error,
        url=consultation.get_manage_url(),
        own_contribution=True,
    )


Level = RestitutionReminder.Level


def reminder_recipients(consultation: Consultation, step: int) -> tuple[str, list[Any]]:
    """Who step `step` reminds: the owner; from step 2 the lab too; from step 3 the
    directorates sponsoring the consultation's projects too."""
    from caflab.accounts.models import Role, User

    people = [consultation.owner]
    level = Level.OWNER
    if step >= 2:
        level = Level.LAB
        people += list(User.objects.lab_staff())
    if step >= 3:
        level = Level.DIRECTORATE
        sponsors = consultation.projects.exclude(sponsor=None).values("sponsor")
        people += list(
            User.objects.active().filter(role=Role.DIRECTORATE, directorate__in=sponsors)
        )
    return level, people


def restitution_reminders_send(now: datetime.datetime | None = None) -> int:
    """Remind, for each consultation whose restitution is overdue, in escalating steps: step k
    falls k×N days after closing (N = ECOUTE_RESTITUTION_REMINDER_DAYS): the owner at N, the lab
    too at 2N, the sponsor directorate too at 3N, then every N days. Each step is sent once
    (a unique row per step, written under the consultation's lock): the daily task may run
    twice the same day, or twice at once. A published restitution, or an archive without one
    (the lab's, with its reason), stops them."""
    from caflab.accounts.models import Role

    now = now or timezone.now()
    today = timezone.localdate(now)
    days = reminder_days()
    reminded = 0
    for pk in list(Consultation.objects.restitution_overdue(today).values_list("pk", flat=True)):
        with transaction.atomic():
            consultation = (
                Consultation.objects.select_for_update(of=("self",))
                .select_related("owner")
                .filter(pk__in=Consultation.objects.restitution_due().values("pk"))
                .filter(pk=pk)
                .first()
            )
            if consultation is None:  # published or archived meanwhile
                continue
            elapsed = (today - timezone.localdate(consultation.closes_at)).days
            step = elapsed // days
            if (
                step < 1
                or RestitutionReminder.objects.filter(
                    consultation=consultation, step__gte=step
                ).exists()
            ):
                continue
            level, people = reminder_recipients(consultation, step)
            RestitutionReminder.objects.create(
                consultation=consultation, sent_at=now, step=step, level=level
            )
            # Those who run it are sent to its management page; a sponsor directorate, which
            # cannot manage it, to its public page (it asks the team, who write it).
            runs_it = [p for p in people if p.role != Role.DIRECTORATE]
            sponsors = [p for p in people if p.role == Role.DIRECTORATE]
            notify(
                recipients=runs_it,
                kind="ecoute.restitution_reminder",
                title=_(
                    "La consultation « %(title)s » est close depuis %(days)s jours sans "
                    "restitution : dites aux participants ce que vous en avez fait"
                )
                % {"title": consultation.title, "days": elapsed},
                url=consultation.get_manage_url(),
            )
            if sponsors:
                notify(
                    recipients=sponsors,
                    kind="ecoute.restitution_reminder",
                    title=_(
                        "La consultation « %(title)s », liée à un projet que votre direction "
                        "parraine, est close depuis %(days)s jours sans restitution"
                    )
                    % {"title": consultation.title, "days": elapsed},
                    body=_("Son équipe a été relancée ; vous pouvez lui demander où elle en est."),
                    url=consultation.get_absolute_url(),
                )
            reminded += 1
    return reminded
