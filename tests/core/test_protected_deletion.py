"""A careless admin loses nothing (issue 20): as a superuser, every deletion the admin offers
(a row's delete page, the "delete selected" action) leaves responses, answers, restitutions,
contributions, histories, decided reviews, reports and measurements in place, and the page says
why; history rows and decided reviews are read-only; deleting an account erases the person and
keeps what they contributed."""

import pytest
from django.contrib.admin import helpers
from django.urls import reverse
from django.utils import timezone

from caflab.accounts.models import User
from ecoute.models import (
    Answer,
    Consultation,
    Contribution,
    ContributionComment,
    Question,
    Response,
    Restitution,
)
from evaluation.models import ImpactReport, Measurement
from ideas.models import Idea, IdeaComment
from projects.models import GateReview, Project, StageChange, StatusReport
from tests.accounts.factories import UserFactory
from tests.ecoute.factories import (
    ConsultationFactory,
    ContributionFactory,
    QuestionFactory,
    first_section,
)
from tests.evaluation.factories import ImpactReportFactory, IndicatorFactory, MeasurementFactory
from tests.ideas.factories import IdeaCommentFactory, IdeaFactory
from tests.projects.factories import GateReviewFactory, ProjectFactory, StatusReportFactory

KEPT = "Rien n’a été supprimé"


@pytest.fixture
def root(client, db):
    user = UserFactory(email="root@cnaf.example", admin=True)
    client.force_login(user)
    return user


def _url(obj, view: str) -> str:
    opts = obj._meta
    args = [obj.pk] if view != "changelist" else []
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=args)


def _delete_page(client, obj):
    """The row's delete page, then its confirmation, as a superuser would click them."""
    shown = client.get(_url(obj, "delete"), follow=True)
    confirmed = client.post(_url(obj, "delete"), {"post": "yes"}, follow=True)
    return shown, confirmed


def _delete_selected(client, *objs):
    model = type(objs[0])
    return client.post(
        _url(objs[0], "changelist"),
        {
            "action": "delete_selected",
            helpers.ACTION_CHECKBOX_NAME: [str(obj.pk) for obj in objs],
            "post": "yes",
        },
        follow=True,
    ), model


# --- a consultation and what it gathered ----------------------------------------------------


@pytest.fixture
def consultation(root):
    consultation = ConsultationFactory(status=Consultation.Status.CLOSED)
    question = QuestionFactory(section=first_section(consultation), kind=Question.Kind.SHORT_TEXT)
    questionnaire = consultation.questionnaire
    for number in range(3):
        response = Response.objects.create(
            questionnaire=questionnaire, audience="citizen", respondent=None
        )
        Answer.objects.create(
            response=response,
            questionnaire=questionnaire,
            audience="citizen",
            question=question,
            value_text=f"Réponse {number}",
        )
    contribution = ContributionFactory(consultation=consultation)
    ContributionComment.objects.create(
        contribution=contribution, author=UserFactory(citizen=True), text="D’accord."
    )
    Restitution.objects.create(
        consultation=consultation,
        synthesis="Merci : voici ce que nous retenons.",
        status=Restitution.Status.PUBLISHED,
        published_at=timezone.now(),
    )
    return consultation


def _gathered(consultation) -> dict[str, int]:
    return {
        "responses": Response.objects.filter(questionnaire__consultation=consultation).count(),
        "answers": Answer.objects.filter(questionnaire__consultation=consultation).count(),
        "contributions": Contribution.objects.filter(consultation=consultation).count(),
        "comments": ContributionComment.objects.filter(
            contribution__consultation=consultation
        ).count(),
        "restitution": Restitution.objects.filter(consultation=consultation).count(),
    }


GATHERED = {"responses": 3, "answers": 3, "contributions": 1, "comments": 1, "restitution": 1}


def test_deleting_a_consultation_in_the_admin_keeps_what_it_gathered(client, consultation):
    assert _gathered(consultation) == GATHERED
    shown, confirmed = _delete_page(client, consultation)
    for page in (shown, confirmed):
        assert page.status_code == 200
        text = page.content.decode()
        assert KEPT in text
        assert "Réponse" in text  # the kinds kept are named
        assert "Archivez plutôt la consultation" in text
    page, _model = _delete_selected(client, consultation)
    assert KEPT in page.content.decode()
    assert Consultation.objects.filter(pk=consultation.pk).exists()
    assert _gathered(consultation) == GATHERED


def test_the_admin_archives_a_closed_consultation_instead(client, consultation):
    page = client.post(
        _url(consultation, "changelist"),
        {"action": "archive", helpers.ACTION_CHECKBOX_NAME: [str(consultation.pk)]},
        follow=True,
    )
    assert "1 consultation(s) archivée(s)." in page.content.decode()
    consultation.refresh_from_db()
    assert consultation.status == Consultation.Status.ARCHIVED
    assert _gathered(consultation) == GATHERED


def test_an_open_consultation_is_not_archived_and_the_admin_is_told(client, root):
    consultation = ConsultationFactory(status=Consultation.Status.OPEN)
    page = client.post(
        _url(consultation, "changelist"),
        {"action": "archive", helpers.ACTION_CHECKBOX_NAME: [str(consultation.pk)]},
        follow=True,
    )
    assert "seule une consultation close peut être archivée" in page.content.decode()
    consultation.refresh_from_db()
    assert consultation.status == Consultation.Status.OPEN


def test_a_consultation_that_gathered_nothing_is_still_deleted_with_its_questionnaire(client, root):
    """Pure configuration keeps its cascade: nothing to protect, nothing refused."""
    consultation = ConsultationFactory(status=Consultation.Status.DRAFT)
    QuestionFactory(section=first_section(consultation))
    _shown, confirmed = _delete_page(client, consultation)
    assert confirmed.status_code == 200
    assert not Consultation.objects.filter(pk=consultation.pk).exists()


@pytest.mark.parametrize("model", [Response, Answer, Contribution, ContributionComment])
def test_evidence_rows_themselves_cannot_be_deleted(client, consultation, model):
    row = model.objects.filter(
        **(
            {"questionnaire__consultation": consultation}
            if model in (Response, Answer)
            else {"consultation": consultation}
            if model is Contribution
            else {"contribution__consultation": consultation}
        )
    ).first()
    shown, _confirmed = _delete_page(client, row)
    assert KEPT in shown.content.decode()
    _delete_selected(client, row)
    assert model.objects.filter(pk=row.pk).exists()
    assert _gathered(consultation) == GATHERED


def test_a_published_restitution_cannot_be_deleted(client, consultation):
    restitution = consultation.restitution
    shown, _confirmed = _delete_page(client, restitution)
    assert "Une restitution publiée reste publiée." in shown.content.decode()
    _delete_selected(client, restitution)
    assert Restitution.objects.filter(pk=restitution.pk).exists()


# --- a project and its record ---------------------------------------------------------------


@pytest.fixture
def project(root):
    project = ProjectFactory()
    lab = UserFactory(lab=True)
    StageChange.objects.create(project=project, from_stage="", to_stage=project.stage)
    for _number in range(2):
        GateReviewFactory(
            project=project,
            status=GateReview.Status.DECIDED,
            decision=GateReview.Decision.GO,
            rationale="Les résultats sont probants.",
            decided_by=lab,
            decided_at=timezone.now(),
        )
    StatusReportFactory(project=project)
    ImpactReportFactory(project=project)
    indicator = IndicatorFactory(project=project)
    MeasurementFactory(indicator=indicator)
    MeasurementFactory(indicator=indicator, period="2026-04-01")
    return project


def _record(project) -> dict[str, int]:
    return {
        "stage history": StageChange.objects.filter(project=project).count(),
        "gate reviews": GateReview.objects.filter(project=project).count(),
        "status reports": StatusReport.objects.filter(project=project).count(),
        "impact reports": ImpactReport.objects.filter(project=project).count(),
        "measurements": Measurement.objects.filter(indicator__project=project).count(),
    }


RECORD = {
    "stage history": 1,
    "gate reviews": 2,
    "status reports": 1,
    "impact reports": 1,
    "measurements": 2,
}


def test_deleting_a_project_in_the_admin_keeps_its_record(client, project):
    assert _record(project) == RECORD
    shown, confirmed = _delete_page(client, project)
    for page in (shown, confirmed):
        text = page.content.decode()
        assert KEPT in text
        assert "changez plutôt son étape" in text
    page, _model = _delete_selected(client, project)
    assert KEPT in page.content.decode()
    assert Project.objects.filter(pk=project.pk).exists()
    assert _record(project) == RECORD


def test_a_stage_history_row_is_read_only_and_undeletable(client, project):
    change = StageChange.objects.get(project=project)
    shown, _confirmed = _delete_page(client, change)
    assert KEPT in shown.content.decode()
    assert StageChange.objects.filter(pk=change.pk).exists()
    # the changelist offers no deletion, and forcing the action deletes nothing
    changelist = client.get(_url(change, "changelist")).content.decode()
    assert "delete_selected" not in changelist
    _delete_selected(client, change)
    assert StageChange.objects.filter(pk=change.pk).exists()
    # read-only: the change page only shows it, and a POST changes nothing
    assert client.post(_url(change, "change"), {"to_stage": "abandoned"}).status_code == 403
    change.refresh_from_db()
    assert change.to_stage == project.stage


def test_a_decided_gate_review_is_read_only_and_undeletable(client, project):
    review = GateReview.objects.filter(project=project).first()
    shown, _confirmed = _delete_page(client, review)
    assert "Une revue décidée est un acte" in shown.content.decode()
    page, _model = _delete_selected(client, review)
    assert KEPT in page.content.decode()
    assert GateReview.objects.filter(pk=review.pk).exists()
    assert client.post(_url(review, "change"), {"rationale": "Autre."}).status_code == 403
    review.refresh_from_db()
    assert review.rationale == "Les résultats sont probants."


def test_a_pending_gate_review_can_still_be_deleted(client, root):
    review = GateReviewFactory()
    _delete_page(client, review)
    assert not GateReview.objects.filter(pk=review.pk).exists()


@pytest.mark.parametrize("model", [StatusReport, ImpactReport, Measurement])
def test_reports_and_measurements_cannot_be_deleted_in_the_admin(client, project, model):
    row = model.objects.first()
    shown, _confirmed = _delete_page(client, row)
    assert KEPT in shown.content.decode()
    _delete_selected(client, row)
    assert model.objects.filter(pk=row.pk).exists()


# --- ideas and their comments ---------------------------------------------------------------


def test_deleting_an_idea_keeps_its_comments_and_history(client, root):
    idea = IdeaFactory()
    comment = IdeaCommentFactory(idea=idea)
    idea.status_changes.create(to_status=idea.status, reason="Déposée.")
    shown, _confirmed = _delete_page(client, idea)
    assert KEPT in shown.content.decode()
    assert Idea.objects.filter(pk=idea.pk).exists()
    assert IdeaComment.objects.filter(pk=comment.pk).exists()
    assert idea.status_changes.count() == 1


# --- accounts -------------------------------------------------------------------------------


def test_deleting_an_account_in_the_admin_erases_the_person_and_keeps_their_contributions(
    client, consultation
):
    author = Contribution.objects.get(consultation=consultation).author
    idea = IdeaFactory(author=author)  # PROTECTs the account's row: it becomes a tombstone
    shown = client.get(_url(author, "delete"))
    assert "restent, signées «\u00a0Compte supprimé\u00a0»" in shown.content.decode()
    client.post(_url(author, "delete"), {"post": "yes"}, follow=True)
    author.refresh_from_db()
    assert not author.is_active
    assert author.email.startswith("compte-supprime-")
    assert (author.first_name, author.last_name) == ("", "")
    assert Idea.objects.filter(pk=idea.pk, author=author).exists()
    assert _gathered(consultation) == GATHERED


def test_an_account_with_nothing_protected_is_deleted_and_its_answers_stay(client, consultation):
    respondent = UserFactory(citizen=True)
    response = Response.objects.filter(questionnaire__consultation=consultation).first()
    response.respondent = respondent
    response.save(update_fields=["respondent"])
    page, _model = _delete_selected(client, respondent)
    assert page.status_code == 200
    assert not User.objects.filter(pk=respondent.pk).exists()
    response.refresh_from_db()
    assert response.respondent is None
    assert _gathered(consultation) == GATHERED
