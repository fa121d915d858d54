"""Impact reports and the follow-up of their recommendations.

A report is requested in the request (its data frozen in a snapshot, inside the transaction),
then built by a Celery task from that snapshot only: HTML stored on the report, PDF in the
private storage, the requester told. Management responses to the recommendations are followed
by a daily reminder to their owner.
"""

import datetime
import logging
import uuid
from typing import Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from caflab.accounts.models import User
from caflab.core import jobs
from caflab.core.errors import NotAllowedNow
from caflab.core.queueing import enqueue_on_commit
from caflab.notifications.services import notify
from evaluation import tasks
from evaluation.models import EvaluationPlan, ImpactReport, ManagementResponse, Recommendation
from evaluation.reporting import render_report_html, render_report_pdf
from evaluation.snapshot import portfolio_snapshot, project_snapshot, snapshot_digest
from projects.models import Project
from projects.services import AlreadyDone

logger = logging.getLogger(__name__)

Status = ImpactReport.Status
# An action's owner is reminded from this many days before its due date…
REMIND_BEFORE = datetime.timedelta(days=7)
# …and at most once every this many days.
REMIND_EVERY = datetime.timedelta(days=7)
ERROR_MAX_CHARS = 500


class NoEvaluationPlan(NotAllowedNow):
    """A project's impact report answers its evaluation plan's questions: without a plan there
    is nothing to report against. Sends the person to the page that creates the plan."""

    default_message = gettext_lazy(
        "Ce projet n’a pas encore de plan d’évaluation : un rapport d’impact rend compte de ses "
        "questions, de ses indicateurs et de son niveau de preuve. Créez d’abord le plan "
        "d’évaluation."
    )


class ReportResult:
    READY = "ready"
    FAILED = "failed"
    SKIPPED = "skipped"


def _waiting(**filters: Any) -> ImpactReport | None:
    """The report of `filters` still in progress; one whose worker stopped answering (lease
    expired) is abandoned, so that the new request starts a fresh one."""
    mine = ImpactReport.objects.filter(**filters)
    jobs.abandon_stuck(mine)
    return mine.in_progress().first()


@transaction.atomic
def report_request(*, project: Any, by: Any) -> ImpactReport:
    """Freeze `project`'s evaluation data now and queue the report's build after the commit. A
    double click returns the report already waiting (unless it is stuck: see `_waiting`).
    Refused (`NoEvaluationPlan`) while the project has no evaluation plan."""
    # Two clicks racing: the project's row lock makes the second one see the first report.
    Project.objects.select_for_update().filter(pk=project.pk).first()
    if not EvaluationPlan.objects.filter(project=project).exists():
        raise NoEvaluationPlan(
            redirect_to=reverse("evaluation:report-list", kwargs={"code": project.code})
        )
    waiting = _waiting(project=project, requested_by=by)
    if waiting is not None:
        return waiting
    snapshot = project_snapshot(project)
    report = ImpactReport.objects.create(
        scope=ImpactReport.Scope.PROJECT,
        project=project,
        title=_("Rapport d’impact – %(code)s %(title)s")
        % {"code": project.code, "title": project.title},
        snapshot=snapshot,
        snapshot_digest=snapshot_digest(snapshot),
        requested_by=by,
    )
    enqueue_on_commit(tasks.build_report, report.pk)
    return report


@transaction.atomic
def portfolio_report_request(*, by: Any) -> ImpactReport:
    """The same for the whole portfolio (for the director)."""
    User.objects.select_for_update().filter(pk=by.pk).first()  # see report_request
    waiting = _waiting(scope=ImpactReport.Scope.PORTFOLIO, requested_by=by)
    if waiting is not None:
        return waiting
    snapshot = portfolio_snapshot()
    report = ImpactReport.objects.create(
        scope=ImpactReport.Scope.PORTFOLIO,
        title=_("Rapport d’impact du portefeuille – %(day)s")
        % {"day": timezone.localdate().strftime("%d/%m/%Y")},
        snapshot=snapshot,
        snapshot_digest=snapshot_digest(snapshot),
        requested_by=by,
    )
    enqueue_on_commit(tasks.build_report, report.pk)
    return report


def report_build(*, report_id: int) -> str:
    """Render one report from its snapshot. Safe to run twice: a finished report, or one a live
    worker holds, is skipped; one whose worker died (lease expired, caflab.core.jobs) is claimed
    again and rebuilt from the same snapshot, which gives the same document, and its PDF
    replaced."""
    attempt = jobs.claim(ImpactReport, report_id, progress=5)
    if attempt is None:
        return ReportResult.SKIPPED
    report = ImpactReport.objects.select_related("requested_by").get(pk=report_id)
    try:
        html = render_report_html(report.snapshot)
        jobs.heartbeat(ImpactReport, report_id, attempt, progress=40)
        pdf = render_report_pdf(
            title=report.title,
            body=html,
            snapshot=report.snapshot,
            author=_author(report.requested_by),
        )
    except jobs.LeaseLost:
        logger.warning("Impact report %s: attempt %s lost its lease.", report_id, attempt)
        return ReportResult.SKIPPED
    except Exception as exc:
        logger.exception("Impact report %s failed.", report_id)
        error = f"{type(exc).__name__}: {exc}"[:ERROR_MAX_CHARS]
        if jobs.fail(ImpactReport, report_id, attempt, error=error):
            _tell_report_failed(report)
        return ReportResult.FAILED
    previous = report.pdf.name
    report.pdf.save(f"{uuid.uuid4().hex}.pdf", ContentFile(pdf), save=False)
    if not jobs.complete(
        ImpactReport, report_id, attempt, pdf=report.pdf.name, html=html, error=""
    ):
        report.pdf.storage.delete(report.pdf.name)  # another attempt owns the report now
        return ReportResult.SKIPPED
    if previous:
        report.pdf.storage.delete(previous)
    notify(
        recipients=[report.requested_by] if report.requested_by else [],
        kind="evaluation.report_ready",
        title=_("Votre rapport « %(title)s » est prêt") % {"title": report.title},
        url=report.get_absolute_url(),
        own_contribution=True,
    )
    return ReportResult.READY


def _author(user: User | None) -> str:
    """The requester's full name for the PDF's cover, never their e-mail address; "" for an
    erased account or one without a name."""
    if user is None or user.is_erased:
        return ""
    return user.get_full_name()


def _tell_report_failed(report: ImpactReport) -> None:
    notify(
        recipients=[report.requested_by] if report.requested_by else [],
        kind="evaluation.report_failed",
        title=_("La préparation du rapport « %(title)s » a échoué") % {"title": report.title},
        body=_("Relancez-le depuis sa page ; si l’échec se répète, prévenez l’équipe du CafLab."),
        url=report.get_absolute_url(),
        own_contribution=True,
    )


def reports_requeue_stale(now: datetime.datetime | None = None) -> int:
    """Queue again the reports whose worker died (lease expired) or whose message was lost;
    those out of attempts are marked failed and their requester told."""
    return jobs.requeue_expired(
        ImpactReport,
        tasks.build_report,
        now=now,
        limit=50,
        on_exhausted=lambda pk: _tell_report_failed(
            ImpactReport.objects.select_related("requested_by").get(pk=pk)
        ),
    )


@transaction.atomic
def reports_rebuild_failed(*, ids: list[int]) -> int:
    """Queue again the failed reports among `ids`; they rebuild from their own snapshot."""
    failed = list(
        ImpactReport.objects.select_for_update()
        .filter(pk__in=ids, status=Status.FAILED)
        .values_list("pk", flat=True)
    )
    ImpactReport.objects.filter(pk__in=failed).update(
        status=Status.QUEUED,
        progress=0,
        error="",
        attempts=0,
        lease_expires_at=None,
        finished_at=None,
        updated_at=timezone.now(),
    )
    for report_id in failed:
        enqueue_on_commit(tasks.build_report, report_id)
    return len(failed)


def report_retry(*, report: ImpactReport, by: Any) -> ImpactReport:
    """ "Relancer" on a failed report: a fresh report of the same scope, from today's data (the
    failed one stays, as a record). The caller checks that `by` may request it."""
    if report.status != Status.FAILED:
        raise AlreadyDone(_("Ce rapport n’a pas échoué : il n’y a rien à relancer."))
    if report.scope == ImpactReport.Scope.PORTFOLIO:
        return portfolio_report_request(by=by)
    return report_request(project=report.project, by=by)


@transaction.atomic
def report_publish(*, report: ImpactReport, publish: bool) -> ImpactReport:
    """Publish a ready report to the network's agents, or withdraw it."""
    if publish and report.status != Status.READY:
        raise AlreadyDone(_("Seul un rapport prêt peut être publié."))
    changed = ImpactReport.objects.filter(pk=report.pk, status=Status.READY).update(
        is_published=publish, updated_at=timezone.now()
    )
    if not changed:
        raise AlreadyDone(_("Ce rapport n’est plus disponible."))
    report.is_published = publish
    return report


# --- recommendations and management responses ------------------------------------------------


@transaction.atomic
def recommendation_add(*, project: Any, by: Any, text: str, criterion: str = "") -> Recommendation:
    last = project.recommendations.order_by("-position").values_list("position", flat=True).first()
    return Recommendation.objects.create(
        project=project,
        text=text,
        criterion=criterion,
        position=(last or 0) + 1,
        created_by=by,
    )


@transaction.atomic
def response_save(*, recommendation: Recommendation, by: Any, **fields: Any) -> ManagementResponse:
    """Record or change the management response to a recommendation; the owner is told when
    someone else gives them the action. A changed due date allows a new reminder."""
    response = ManagementResponse.objects.filter(recommendation=recommendation).first()
    previous_owner = response.owner_id if response else None
    previous_due = response.due_on if response else None
    if response is None:
        response = ManagementResponse(recommendation=recommendation)
    for name, value in fields.items():
        setattr(response, name, value)
    if response.due_on != previous_due:
        response.reminded_on = None
    response.answered_by = by
    try:
        with transaction.atomic():
            response.save()
    except IntegrityError as exc:  # two people answering at once
        raise AlreadyDone(_("Une réponse vient d’être enregistrée : rechargez la page.")) from exc
    if response.owner_id and response.owner_id != previous_owner:
        notify(
            recipients=[response.owner],
            kind="evaluation.action_assigned",
            title=_("Une action vous est confiée : %(text)s") % {"text": recommendation.text[:80]},
            url=_recommendations_url(recommendation),
            actor=by,
        )
    return response


def _recommendations_url(recommendation: Recommendation) -> str:
    return reverse("evaluation:recommendations", kwargs={"code": recommendation.project.code})


def management_actions_remind(today: datetime.date | None = None) -> int:
    """Remind each owner of an accepted action not done whose due date is near or past, at most
    once every REMIND_EVERY days (`reminded_on` keeps the task idempotent)."""
    today = today or timezone.localdate()
    due = (
        ManagementResponse.objects.filter(
            decision__in=[
                ManagementResponse.Decision.ACCEPTED,
                ManagementResponse.Decision.PARTLY,
            ],
            done_on__isnull=True,
            owner__isnull=False,
            owner__is_active=True,
            due_on__lte=today + REMIND_BEFORE,
        )
        .exclude(reminded_on__gt=today - REMIND_EVERY)
        .select_related("owner", "recommendation__project")
        .order_by("due_on", "pk")
    )
    reminded = 0
    for response in due:
        # Claim the reminder first: a second run the same day finds it done.
        claimed = (
            ManagementResponse.objects.filter(pk=response.pk)
            .exclude(reminded_on__gt=today - REMIND_EVERY)
            .update(reminded_on=today)
        )
        if not claimed:
            continue
        late = response.due_on < today
        notify(
            recipients=[response.owner],
            kind="evaluation.action_due",
            title=(
                _("Action en retard : %(text)s")
                if late
                else _("Action à échéance proche : %(text)s")
            )
            % {"text": response.recommendation.text[:80]},
            body=_("Échéance : %(day)s. Action prévue : %(action)s")
            % {"day": response.due_on.strftime("%d/%m/%Y"), "action": response.action},
            url=_recommendations_url(response.recommendation),
        )
        reminded += 1
    return reminded
