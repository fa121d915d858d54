"""The incubator's flows: calls for projects and their application form (an écoute
questionnaire), applications saved as drafts and submitted once, the jury's scores on the
call's weighted criteria (`projects.scoring`, shared with gate reviews and challenge juries),
the ranking, the lab's decision told to each applicant once (a task, ids only), and the
selection that makes a portfolio project on the incubator track and puts it in a cohort.

Every flow is atomic and locks the row it changes: a second submit, a second decision or a
second selection under a race ends in "déjà fait", never a 500.
"""

import datetime
from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from caflab.accounts.models import User
from caflab.core.errors import AlreadyDone, InvalidState, NotAllowedNow
from caflab.core.queueing import enqueue_on_commit
from caflab.notifications.services import notify
from ecoute.conditions import AnswerValue, answers_from_json, answers_to_json
from ecoute.models import Consultation
from ecoute.services import consultation_create
from ecoute.services.answering import answers_check
from incubator.models import (
    Application,
    ApplicationScore,
    Call,
    CallCriterion,
    Cohort,
    Milestone,
)
from projects.models import Track
from projects.scoring import (
    ranked_by_weighted_mean,
    validate_scores,
    weighted_summary,
)
from projects.services.projects import project_create

CallStatus = Call.Status
AppStatus = Application.Status

# The moves the lab makes from the call's page.
CALL_MOVES: dict[str, str] = {
    CallStatus.DRAFT: CallStatus.OPEN,
    CallStatus.OPEN: CallStatus.CLOSED,
    CallStatus.CLOSED: CallStatus.DECIDED,
}

# The jury's scorecard a new call starts with (the lab changes it in the admin).
DEFAULT_CRITERIA = (
    (_("Utilité pour les allocataires"), 3),
    (_("Faisabilité"), 2),
    (_("Ancrage partenarial et local"), 2),
    (_("Capacité à essaimer"), 1),
)


# --- calls ---------------------------------------------------------------------------------


# Taken by the catalogue's own addresses (appels/nouveau/).
RESERVED_SLUGS = {"nouveau"}


def _unique_call_slug(title: str) -> str:
    base = slugify(title)[:70] or "appel"
    if base in RESERVED_SLUGS:
        base = f"{base}-appel"
    slug, n = base, 1
    while Call.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


@transaction.atomic
def call_create(*, by: User, title: str, jury: Iterable[User] = (), **fields: Any) -> Call:
    """A draft call, its application form (the questionnaire of a consultation reserved to
    nobody: `IncubatorConfig.ready`) and the default jury scorecard."""
    consultation = consultation_create(
        by=by,
        title=(_("Candidature : %(title)s") % {"title": title})[:200],
        summary=_("Le formulaire de candidature de l’appel à projets « %(title)s ».")
        % {"title": title[:300]},
        audience=Consultation.Audience.BOTH,
        # No community, and reserved to nobody: nobody answers it through écoute.
        access=Consultation.Access.COMMUNITY,
        allow_anonymous=False,
    )
    call = Call.objects.create(
        title=title,
        slug=fields.pop("slug", "") or _unique_call_slug(title),
        owner=by,
        consultation=consultation,
        **fields,
    )
    call.jury.set(jury)
    CallCriterion.objects.bulk_create(
        CallCriterion(call=call, label=str(label), weight=weight, position=position)
        for position, (label, weight) in enumerate(DEFAULT_CRITERIA, start=1)
    )
    return call


@transaction.atomic
def call_update(*, call: Call, jury: Iterable[User]) -> Call:
    """Save `call` as its form changed it, and its jury."""
    call.save()
    call.jury.set(jury)
    return call


@transaction.atomic
def call_criteria_save(*, call: Call, formset: Any) -> Call:
    """Save the jury's scorecard as its formset changed it (validated), before the jury
    starts: once the call is closed, the criteria scored stay as they are."""
    locked = Call.objects.select_for_update().get(pk=call.pk)
    if locked.status not in (CallStatus.DRAFT, CallStatus.OPEN):
        raise NotAllowedNow(_("Le jury a commencé : ses critères ne changent plus."))
    formset.save()
    return locked


@transaction.atomic
def call_move(*, call: Call, by: User, to_status: str) -> Call:
    """Open a draft, close the applications (the jury starts), or mark the decisions given."""
    call = Call.objects.select_for_update().get(pk=call.pk)
    if CALL_MOVES.get(call.status) != to_status:
        if call.status == to_status:
            raise AlreadyDone(_("C’est déjà fait : l’appel a déjà ce statut."))
        raise InvalidState(_("Ce changement de statut n’est pas possible."))
    if to_status == CallStatus.OPEN and not call.criteria.exists():
        raise NotAllowedNow(_("Donnez d’abord au jury au moins un critère."))
    if to_status == CallStatus.DECIDED:
        undecided = call.applications.submitted().filter(decision="").count()
        if undecided:
            raise NotAllowedNow(
                _("Il reste %(n)s candidature(s) sans décision.") % {"n": undecided}
            )
    call.status = to_status
    call.save(update_fields=["status", "updated_at"])
    if to_status == CallStatus.CLOSED:
        notify(
            recipients=call.jury.all(),
            kind="incubator.judging",
            title=_("Le jury de l’appel « %(title)s » peut noter les candidatures")
            % {"title": call.title},
            url=reverse("incubator:ranking", kwargs={"slug": call.slug}),
            actor=by,
        )
    return call


# --- applications ----------------------------------------------------------------------------


def application_answers(application: Application) -> dict[int, AnswerValue]:
    return answers_from_json(application.answers or {})


def _check_open(call: Call, today: datetime.date) -> None:
    if call.status != CallStatus.OPEN or today < call.opens_on:
        raise NotAllowedNow(_("Cet appel n’est pas ouvert aux candidatures."))
    if today > call.closes_on:
        raise NotAllowedNow(
            _("Les candidatures à cet appel sont closes depuis le %(day)s.")
            % {"day": call.closes_on.strftime("%d/%m/%Y")}
        )


@transaction.atomic
def application_save(
    *,
    call: Call,
    by: User,
    title: str,
    summary: str,
    answers: dict[int, AnswerValue],
    today: datetime.date | None = None,
) -> Application:
    """Create or update `by`'s draft application to `call` (one per person: a unique
    constraint). A submitted application is not edited again ("déjà fait")."""
    today = today or timezone.localdate()
    call = Call.objects.get(pk=call.pk)  # its status now, not as the caller loaded it
    if not call.admits(by):
        raise NotAllowedNow(_("Cet appel ne s’adresse pas à votre profil."))
    _check_open(call, today)
    fields = {"title": title, "summary": summary, "answers": answers_to_json(answers)}
    application = Application.objects.select_for_update().filter(call=call, applicant=by).first()
    if application is None:
        try:
            with transaction.atomic():
                return Application.objects.create(
                    call=call,
                    applicant=by,
                    partner_id=by.partner_id if by.is_partner else None,
                    **fields,
                )
        except IntegrityError:  # the same person, twice at once: update theirs
            application = Application.objects.select_for_update().get(call=call, applicant=by)
    if application.status != AppStatus.DRAFT:
        raise AlreadyDone(_("C’est déjà fait : votre candidature est déposée."))
    for name, value in fields.items():
        setattr(application, name, value)
    application.save(update_fields=[*fields, "updated_at"])
    return application


@transaction.atomic
def application_submit(
    *, application: Application, by: User, today: datetime.date | None = None
) -> Application:
    """Submit a draft, once: its answers are checked against the form (required questions);
    after the closing date it is refused with the reason."""
    today = today or timezone.localdate()
    locked = (
        Application.objects.select_for_update(of=("self",))
        .select_related("call__consultation__questionnaire")
        .get(pk=application.pk)
    )
    if locked.applicant_id != by.pk:
        raise NotAllowedNow(_("Seul(e) le ou la candidat(e) dépose sa candidature."))
    if locked.status != AppStatus.DRAFT:
        raise AlreadyDone(_("C’est déjà fait : votre candidature est déposée."))
    _check_open(locked.call, today)
    questionnaire = locked.call.consultation.questionnaire
    kept = answers_check(questionnaire, application_answers(locked))  # IncompleteAnswers
    locked.answers = answers_to_json(kept)
    locked.status = AppStatus.SUBMITTED
    locked.submitted_at = timezone.now()
    locked.save(update_fields=["answers", "status", "submitted_at", "updated_at"])
    notify(
        recipients=[by],
        kind="incubator.submitted",
        title=_("Votre candidature « %(title)s » est déposée") % {"title": locked.title},
        body=_("Appel à projets : %(call)s") % {"call": locked.call.title},
        url=locked.get_absolute_url(),
        own_contribution=True,
    )
    return locked


# --- the jury ----------------------------------------------------------------------------------


def call_criteria(call: Call) -> models.QuerySet[CallCriterion]:
    return CallCriterion.objects.filter(call=call).order_by("position", "pk")


@transaction.atomic
def application_score(
    *, application: Application, juror: User, scores: dict[int, tuple[int, str]]
) -> list[ApplicationScore]:
    """Record a juror's scores, {criterion id: (score 1-5, comment)}: one row per juror ×
    criterion × application (a unique constraint): scoring again updates."""
    # Their status now, not as the caller loaded them.
    application = Application.objects.select_related("call").get(pk=application.pk)
    call = application.call
    if call.status != CallStatus.CLOSED:
        raise NotAllowedNow(_("Le jury note les candidatures une fois l’appel clos."))
    if application.status != AppStatus.SUBMITTED:
        raise NotAllowedNow(_("Cette candidature n’est pas déposée."))
    if not call.jury.filter(pk=juror.pk).exists():
        raise NotAllowedNow(_("Seuls les membres du jury notent les candidatures."))
    validate_scores(set(call_criteria(call).values_list("pk", flat=True)), scores)
    saved = []
    for criterion_id, (score, comment) in scores.items():
        try:
            with transaction.atomic():
                row, _created = ApplicationScore.objects.update_or_create(
                    application=application,
                    criterion_id=criterion_id,
                    reviewer=juror,
                    defaults={"score": int(score), "comment": comment},
                )
        except IntegrityError:  # the same juror, twice at once: the second one updates
            row = ApplicationScore.objects.get(
                application=application, criterion_id=criterion_id, reviewer=juror
            )
            row.score, row.comment = int(score), comment
            row.save(update_fields=["score", "comment", "updated_at"])
        saved.append(row)
    return saved


def application_summary(application: Application) -> dict[str, Any]:
    """Per criterion mean and the weighted mean on 5 (projects.scoring)."""
    return weighted_summary(
        call_criteria(application.call), ApplicationScore.objects.filter(application=application)
    )


def ranked_applications(call: Call) -> models.QuerySet[Application]:
    """The call's submitted applications, best weighted mean first, in one query: per criterion
    the mean of the jurors' scores, weighted, over the criteria scored (the figure of
    `weighted_summary`). Unscored applications come last."""
    return ranked_by_weighted_mean(
        call.applications.submitted().select_related("applicant", "partner", "project"),
        criteria=CallCriterion.objects.filter(call=call),
        scores=ApplicationScore.objects.all(),
        item_field="application",
        then=("submitted_at", "pk"),
    )


# --- decisions, selection, cohorts -------------------------------------------------------------


def _default_cohort(call: Call, by: User) -> Cohort:
    cohort = call.cohorts.order_by("created_at", "pk").first()
    if cohort is None:
        cohort = Cohort.objects.create(
            call=call,
            title=(_("Promotion %(title)s") % {"title": call.title})[:200],
            created_by=by,
        )
    return cohort


@transaction.atomic
def application_decide(
    *,
    application: Application,
    by: User,
    decision: str,
    reason: str,
    cohort: Cohort | None = None,
) -> Application:
    """The lab's decision on a submitted application, with its reasons, once ("déjà fait"
    after). Selecting it makes a portfolio project on the incubator track (the applicant leads
    it, their partner organisation is among its partners, the application is its origin) and
    puts it in `cohort` (the call's first cohort, created when there is none). The applicant is
    told by a task after the commit (its id only)."""
    locked = (
        Application.objects.select_for_update(of=("self",))
        .select_related("call", "applicant")
        .get(pk=application.pk)
    )
    if locked.decision:
        raise AlreadyDone(_("C’est déjà fait : la décision sur cette candidature est rendue."))
    if locked.status != AppStatus.SUBMITTED:
        raise InvalidState(_("Seule une candidature déposée reçoit une décision."))
    call = locked.call
    if call.status != CallStatus.CLOSED:
        raise NotAllowedNow(_("Les décisions se prennent une fois l’appel clos."))
    if decision not in Application.Decision.values:
        raise InvalidState({"decision": _("Choisissez « retenue » ou « non retenue ».")})
    if not reason.strip():
        raise InvalidState({"reason": _("Dites au candidat ou à la candidate pourquoi.")})
    if cohort is not None and cohort.call_id != call.pk:
        raise InvalidState({"cohort": _("Cette promotion n’est pas celle de cet appel.")})
    locked.decision = decision
    locked.decision_reason = reason.strip()
    locked.decided_by = by
    locked.decided_at = timezone.now()
    fields = ["decision", "decision_reason", "decided_by", "decided_at", "updated_at"]
    if decision == Application.Decision.SELECTED:
        applicant = locked.applicant
        locked.project = project_create(
            by=by,
            title=locked.title,
            problem=locked.summary,
            lead=applicant,
            track=Track.LOCAL_INCUBATOR,
            is_draft=False,
            partners=[locked.partner] if locked.partner_id else [],
            pilot_caf=applicant.caf if applicant.caf_id else None,
            origin=locked,
        )
        locked.cohort = cohort or _default_cohort(call, by)
        fields += ["project", "cohort"]
    locked.save(update_fields=fields)
    from incubator import tasks

    enqueue_on_commit(tasks.tell_decision, locked.pk)
    return locked


def decision_tell(*, application_id: int) -> bool:
    """Tell the applicant of the decision (in the app and by e-mail: it is their own
    application). Once: `decision_notified_at` is claimed in the transaction that queues the
    notification, so a retried or duplicated task tells nobody twice."""
    with transaction.atomic():
        application = (
            Application.objects.select_for_update(of=("self",))
            .select_related("call", "applicant")
            .filter(pk=application_id, decision_notified_at__isnull=True)
            .exclude(decision="")
            .first()
        )
        if application is None:
            return False
        application.decision_notified_at = timezone.now()
        application.save(update_fields=["decision_notified_at", "updated_at"])
        selected = application.decision == Application.Decision.SELECTED
        title = (
            _("Votre candidature « %(title)s » est retenue")
            if selected
            else _("Votre candidature « %(title)s » n’est pas retenue")
        ) % {"title": application.title}
        notify(
            recipients=[application.applicant],
            kind="incubator.decision",
            title=title,
            body=application.decision_reason,
            url=application.get_absolute_url(),
            own_contribution=True,
            key=f"incubator.decision:{application.pk}",
        )
    return True


def decisions_tell_pending(now: datetime.datetime | None = None) -> int:
    """The daily safety net: tell the decisions a broker outage left untold for an hour."""
    limit = (now or timezone.now()) - datetime.timedelta(hours=1)
    ids = list(
        Application.objects.exclude(decision="")
        .filter(decision_notified_at__isnull=True, decided_at__lte=limit)
        .values_list("pk", flat=True)
    )
    return sum(decision_tell(application_id=pk) for pk in ids)


@transaction.atomic
def cohort_create(*, call: Call, by: User, title: str, description: str = "") -> Cohort:
    return Cohort.objects.create(call=call, title=title, description=description, created_by=by)


@transaction.atomic
def milestone_add(*, cohort: Cohort, by: User, **fields: Any) -> Milestone:
    """A date in the cohort's calendar; its members are told."""
    milestone = Milestone.objects.create(cohort=cohort, created_by=by, **fields)
    notify(
        recipients=cohort_members(cohort),
        kind="incubator.milestone",
        title=_("Nouveau jalon de la promotion « %(cohort)s » : %(title)s")
        % {"cohort": cohort.title, "title": milestone.title},
        body=_("Le %(day)s.") % {"day": milestone.on.strftime("%d/%m/%Y")},
        url=cohort.get_absolute_url(),
        actor=by,
    )
    return milestone


def cohort_members(cohort: Cohort) -> models.QuerySet[User]:
    """The applicants and teams of the cohort's projects."""
    from projects.models import TeamMember

    projects = cohort.applications.exclude(project=None).values("project")
    return User.objects.active().filter(
        models.Q(pk__in=cohort.applications.values("applicant"))
        | models.Q(pk__in=TeamMember.objects.filter(project__in=projects).values("user"))
    )
