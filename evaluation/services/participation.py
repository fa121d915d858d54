"""Stakeholder surveys (écoute's questionnaire engine, answered in waves through single-use
invitations) and testimonies.

Invitations: the token is drawn when the e-mail goes out (by a Celery task, ids only) and only
its keyed hash is stored, so the link exists nowhere but in the invitee's mailbox. Answering
marks the invitation used and erases its address in one transaction; the response is written
later, among others in a shuffled batch, and tied to its wave (`SurveyWaveResponse`), never to
the invitation or a person. The invitation's
participation key, recorded by écoute, refuses a second answer even in a race.
"""

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from caflab.core import errors
from caflab.core.mail import MailAction, mail_build
from caflab.core.queueing import enqueue_on_commit
from ecoute.models import Audience, Questionnaire, Section
from ecoute.plan import Plan
from ecoute.results import MIN_GROUP_SIZE, QuestionResult, questionnaire_results
from ecoute.services import AlreadyAnswered, participation_key
from ecoute.services.answering import (
    anonymous_response_queue,
    answers_check,
    participation_mark,
)
from evaluation.models import (
    StakeholderGroup,
    Survey,
    SurveyInvitation,
    SurveyWave,
    SurveyWaveResponse,
    Testimony,
)
from projects.models import Project

MAX_INVITATIONS_PER_BATCH = 500


class InvalidInvitation(errors.DomainError):
    """The link matches no invitation (mistyped, or never sent)."""


class WaveClosed(errors.NotAllowedNow):
    """The invitation's wave is not open for answers today."""


# --- surveys and waves -----------------------------------------------------------------------


@transaction.atomic
def survey_create(
    *,
    project: Project,
    title: str,
    by: Any,
    stakeholder_group: StakeholderGroup | None = None,
    intro: str = "",
) -> Survey:
    """A survey with its own questionnaire (no consultation) and a first section, ready for
    the builder."""
    questionnaire = Questionnaire.objects.create(title=title, intro=intro)
    Section.objects.create(questionnaire=questionnaire, title=_("Questions"), position=1)
    return Survey.objects.create(
        project=project,
        title=title,
        stakeholder_group=stakeholder_group,
        questionnaire=questionnaire,
        created_by=by,
    )


@transaction.atomic
def wave_add(*, survey: Survey, kind: str, opens_on, closes_on, label: str = "") -> SurveyWave:
    if closes_on < opens_on:
        raise errors.InvalidState({"closes_on": _("La clôture doit suivre l’ouverture.")})
    last = survey.waves.aggregate(last=Max("position"))["last"] or 0
    return SurveyWave.objects.create(
        survey=survey,
        kind=kind,
        label=label,
        opens_on=opens_on,
        closes_on=closes_on,
        position=last + 1,
    )


# --- invitations -----------------------------------------------------------------------------


def invitation_token_hash(token: str) -> str:
    """The keyed hash stored for an invitation's token (as écoute hashes participation
    tokens): without the secret key, the table cannot be turned back into links."""
    return hmac.new(
        settings.SECRET_KEY.encode(), f"evaluation:invitation:{token}".encode(), hashlib.sha256
    ).hexdigest()


def _normalised_emails(emails: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for email in emails:
        email = email.strip().lower()
        if email:
            seen.setdefault(email, None)
    return list(seen)


@transaction.atomic
def invitations_create(
    *, wave: SurveyWave, emails: Iterable[str], by: Any
) -> list[SurveyInvitation]:
    """One invitation per new address (an address already waiting for this wave is skipped),
    each e-mailed by a task after the commit."""
    emails = _normalised_emails(emails)
    if len(emails) > MAX_INVITATIONS_PER_BATCH:
        raise errors.InvalidState(
            _("%(n)s adresses au plus par envoi.") % {"n": MAX_INVITATIONS_PER_BATCH}
        )
    if wave.closes_on < timezone.localdate():
        raise errors.InvalidState(_("Cette vague est close : on ne peut plus y inviter."))
    pending = set(
        wave.invitations.filter(email__in=emails, used_at__isnull=True).values_list(
            "email", flat=True
        )
    )
    invitations = [
        SurveyInvitation(
            wave=wave,
            email=email,
            # A placeholder nobody knows: the real token is drawn when the e-mail goes out.
            token_hash=invitation_token_hash(secrets.token_urlsafe(32)),
            invited_by=by,
        )
        for email in emails
        if email not in pending
    ]
    SurveyInvitation.objects.bulk_create(invitations)
    from evaluation import tasks

    for invitation in invitations:
        enqueue_on_commit(tasks.send_survey_invitation, invitation.pk)
    return invitations


@transaction.atomic
def invitation_send(*, invitation_id: int) -> bool:
    """Draw the token, keep its hash, e-mail the link. Idempotent: an invitation already sent
    or used (or whose address is erased) is left alone. False when nothing was sent."""
    invitation = (
        SurveyInvitation.objects.select_for_update(of=("self",))
        .select_related("wave__survey__project")
        .filter(pk=invitation_id)
        .first()
    )
    if invitation is None or invitation.sent_at or invitation.used_at or not invitation.email:
        return False
    token = secrets.token_urlsafe(32)
    invitation.token_hash = invitation_token_hash(token)
    invitation.sent_at = timezone.now()
    invitation.save(update_fields=["token_hash", "sent_at", "updated_at"])
    wave = invitation.wave
    survey = wave.survey
    link = settings.SITE_URL + reverse("evaluation:survey-answer", kwargs={"token": token})
    body = _(
        "Bonjour,\n\n"
        "Dans le cadre de l’évaluation du projet « %(project)s », nous aimerions connaître "
        "votre avis : « %(survey)s ».\n\n"
        "Répondez avant le %(closes)s en suivant ce lien, personnel et utilisable une seule "
        "fois (aucun compte n’est nécessaire) :\n%(link)s\n\n"
        "Vos réponses sont anonymes : elles ne sont liées ni à votre adresse, ni à cette "
        "invitation. Votre adresse est effacée dès que vous avez répondu.\n\n"
        "L’équipe du projet"
    ) % {
        "project": survey.project.title,
        "survey": survey.title,
        "closes": wave.closes_on.strftime("%d/%m/%Y"),
        "link": link,
    }
    # Inside the transaction: if the mail fails, the row is not marked sent and a retry
    # (or the periodic task) sends it with a new token.
    mail_build(
        subject=_("Votre avis sur « %(survey)s »") % {"survey": survey.title},
        text=body,
        to=[invitation.email],
        reason=_(
            "l’équipe du projet « %(project)s » vous invite à participer à son évaluation. "
            "Votre adresse est effacée dès que vous avez répondu."
        )
        % {"project": survey.project.title},
        action=MailAction(_("Donner mon avis"), link),
    ).send()
    return True


def invitations_send_pending() -> int:
    """Queue every invitation still unsent of an open wave (after a broker outage)."""
    from evaluation import tasks

    today = timezone.localdate()
    ids = list(
        SurveyInvitation.objects.filter(
            sent_at__isnull=True, used_at__isnull=True, wave__closes_on__gte=today
        )
        .exclude(email="")
        .values_list("pk", flat=True)
    )
    for pk in ids:
        enqueue_on_commit(tasks.send_survey_invitation, pk)
    return len(ids)


def invitations_erase_expired() -> int:
    """Erase the addresses of invitations whose wave is over: they are of no more use."""
    return (
        SurveyInvitation.objects.filter(wave__closes_on__lt=timezone.localdate())
        .exclude(email="")
        .update(email="", updated_at=timezone.now())
    )


def invitation_for_token(token: str) -> SurveyInvitation | None:
    if not token:
        return None
    return (
        SurveyInvitation.objects.select_related(
            "wave__survey__questionnaire", "wave__survey__project"
        )
        .filter(token_hash=invitation_token_hash(token))
        .first()
    )


def survey_answer(*, token: str, answers: dict, plan: Plan | None = None) -> SurveyWave:
    """Answer through a single-use invitation; returns the wave answered. Raises
    InvalidInvitation, WaveClosed, AlreadyAnswered (a used link, or a race), or écoute's
    IncompleteAnswers.

    Two transactions, so that nothing in the database ties the response to the invitation:
    the first marks the invitation used, erases its address and records its participation
    key; the response then waits to be written, with its wave, among others in a shuffled
    batch (ecoute.services.batches)."""
    invitation = invitation_for_token(token)
    if invitation is None:
        raise InvalidInvitation(_("Ce lien d’invitation n’est pas valide."))
    questionnaire = invitation.wave.survey.questionnaire
    kept = answers_check(questionnaire, answers, plan)
    with transaction.atomic():
        # The invitation's row only: FOR UPDATE over the join would also lock the wave, the
        # survey and the questionnaire, which the answers' batch writer updates in its own
        # order (a deadlock under ten parallel uses of one link).
        invitation = (
            SurveyInvitation.objects.select_for_update(of=("self",))
            .select_related("wave__survey__questionnaire")
            .get(pk=invitation.pk)
        )
        if invitation.used_at is not None:
            raise AlreadyAnswered(_("Ce lien a déjà servi : vous avez déjà répondu."))
        wave = invitation.wave
        if not wave.is_open:
            raise WaveClosed(_("Cette enquête n’est pas ouverte aux réponses aujourd’hui."))
        keys = participation_mark(
            questionnaire, [participation_key(questionnaire, kind="invitation", secret=token)]
        )
        # Used and forgotten: no address, and nothing pointing from the invitation to the
        # response (only the time it was used).
        invitation.used_at = timezone.now()
        invitation.email = ""
        invitation.save(update_fields=["used_at", "email", "updated_at"])
    try:
        anonymous_response_queue(
            questionnaire=questionnaire,
            kept=kept,
            audience=_audience_for(wave.survey),
            caf=None,
            keys=keys,
            links={WAVE_LINK: wave.pk},
        )
    except Exception:
        # The answer could not be kept: the link works again rather than lose it.
        SurveyInvitation.objects.filter(pk=invitation.pk).update(used_at=None)
        raise
    return wave


WAVE_LINK = "evaluation.wave"


def wave_links_create(pairs: list[tuple[Any, int]]) -> None:
    """Tie each response of an anonymous batch to the wave it answered (écoute's batch
    writer calls this inside its transaction, in the batch's shuffled order)."""
    SurveyWaveResponse.objects.bulk_create(
        SurveyWaveResponse(wave_id=wave_id, response=response) for response, wave_id in pairs
    )


def questionnaires_without_open_wave(ids: set[int]) -> set[int]:
    """Of écoute's questionnaire ids, those of surveys none of whose waves is open today:
    their waiting answers are written without waiting for a full batch."""
    today = timezone.localdate()
    surveyed = set(
        Survey.objects.filter(questionnaire__in=ids).values_list("questionnaire", flat=True)
    )
    still_open = set(
        SurveyWave.objects.filter(
            survey__questionnaire__in=surveyed, opens_on__lte=today, closes_on__gte=today
        ).values_list("survey__questionnaire", flat=True)
    )
    return surveyed - still_open


def _audience_for(survey: Survey) -> str:
    group = survey.stakeholder_group
    if group is not None and group.kind == StakeholderGroup.Kind.AGENTS:
        return Audience.AGENT
    if group is not None and group.kind == StakeholderGroup.Kind.PARTNERS:
        return Audience.PARTNER
    return Audience.CITIZEN


def wave_answer_for_demo(*, wave: SurveyWave, answers: dict) -> None:
    """Store one answer in `wave` without an invitation (demo data only), as an invited
    answer is: it waits for its batch (the demo writes the batches once seeded)."""
    questionnaire = wave.survey.questionnaire
    anonymous_response_queue(
        questionnaire=questionnaire,
        kept=answers_check(questionnaire, answers),
        audience=_audience_for(wave.survey),
        caf=None,
        keys=[],
        links={WAVE_LINK: wave.pk},
    )


# --- comparing waves -------------------------------------------------------------------------


@dataclass(frozen=True)
class WaveSegment:
    """The responses of one wave, as a segment écoute's results understand."""

    wave_id: int

    def response_filter(self, prefix: str = "") -> dict[str, Any]:
        return {f"{prefix}wave_link__wave": self.wave_id}


@dataclass
class WaveColumn:
    wave: SurveyWave
    count: int
    result: QuestionResult | None  # None when the wave has too few answers to show

    @property
    def is_masked(self) -> bool:
        return self.result is None


@dataclass
class ComparedQuestion:
    number: int
    label: str
    kind_label: str
    columns: list[WaveColumn] = field(default_factory=list)


def waves_compare(survey: Survey) -> tuple[list[SurveyWave], list[ComparedQuestion]]:
    """Per question, each wave's results side by side. The same questionnaire answers every
    wave, so the questions match one to one. A wave with fewer than MIN_GROUP_SIZE answers is
    masked, as écoute masks small groups."""
    waves = list(
        survey.waves.annotate(n_answers=Count("response_links")).order_by(
            "position", "opens_on", "pk"
        )
    )
    per_wave: dict[int, list[QuestionResult] | None] = {}
    for wave in waves:
        if wave.n_answers < MIN_GROUP_SIZE:
            per_wave[wave.pk] = None
            continue
        results = questionnaire_results(survey.questionnaire, WaveSegment(wave.pk))
        for result in results:
            if result.chart is not None:  # two charts of one question: distinct ids
                result.chart.id = f"vague{wave.pk}-q{result.question.pk}"
        per_wave[wave.pk] = results
    questions = sorted(
        survey.questionnaire.questions.select_related("section"),
        key=lambda q: (q.section.position, q.section_id, q.position, q.pk),
    )
    compared = []
    for index, question in enumerate(questions):
        row = ComparedQuestion(index + 1, question.label, question.get_kind_display())
        for wave in waves:
            results = per_wave[wave.pk]
            row.columns.append(
                WaveColumn(wave, wave.n_answers, results[index] if results is not None else None)
            )
        compared.append(row)
    return waves, compared


# --- testimonies -----------------------------------------------------------------------------


def testimony_add(*, project: Project, by: Any, **fields: Any) -> Testimony:
    return Testimony.objects.create(project=project, collected_by=by, **fields)


def quotable_testimonies(project: Project):
    """The testimonies of `project` that may be quoted in a report: only those whose author
    consented. Reports must read testimonies through this function."""
    return (
        Testimony.objects.quotable()
        .filter(project=project)
        .select_related("stakeholder_group", "caf")
        .order_by("-collected_on", "pk")
    )
