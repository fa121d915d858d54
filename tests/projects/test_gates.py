"""Gate reviews: the lead asks, reviewers score the target stage's criteria, the lab decides."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from caflab.notifications.models import Notification
from caflab.notifications.services import follow
from projects import services
from projects.models import GateReview, GateScore, Stage, StageChange
from tests.projects.factories import GateReviewFactory, ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(lead):
    return ProjectFactory(lead=lead, stage=Stage.IDEA)


@pytest.fixture
def review(project, correspondent_a):
    review = GateReviewFactory(project=project)
    review.reviewers.set([correspondent_a])
    return review


def request_url(project) -> str:
    return reverse("projects:gate-request", kwargs={"code": project.code})


def review_url(review, name: str = "projects:gate-review") -> str:
    return reverse(name, kwargs={"code": review.project.code, "pk": review.pk})


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def score_data(review, score) -> dict[str, object]:
    return {f"note_{c.pk}": score for c in services.gate_criteria_for(review)} | {
        f"commentaire_{c.pk}": "" for c in services.gate_criteria_for(review)
    }


def decide(client, review, **data):
    return client.post(review_url(review, "projects:gate-decide"), data)


# --- asking for a review ----------------------------------------------------------------------


def test_the_request_form_shows_the_next_stage(client, lead, project):
    client.force_login(lead)
    response = client.get(request_url(project))
    assert response.status_code == 200
    assert "Séance de créativité" in response.content.decode()


def test_lead_asks_for_a_gate_and_lab_staff_and_reviewers_are_notified(
    client, lead, project, lab_staff, correspondent_a, agent_b
):
    client.force_login(lead)
    due_on = timezone.localdate() + datetime.timedelta(days=10)
    response = client.post(
        request_url(project),
        {"motivation": "Le problème est documenté.", "reviewers": [correspondent_a.pk],
         "due_on": due_on.isoformat()},
    )  # fmt: skip
    review = GateReview.objects.get(project=project)
    assert response.status_code == 302
    assert response.url == review_url(review)
    assert (review.from_stage, review.to_stage, review.due_on) == (
        Stage.IDEA,
        Stage.CREATIVITY,
        due_on,
    )
    assert list(review.reviewers.all()) == [correspondent_a]
    notified = set(
        Notification.objects.filter(kind="project.gate_requested").values_list(
            "recipient__email", flat=True
        )
    )
    assert notified == {lab_staff.email, correspondent_a.email}


def test_motivation_is_required_and_typed_values_are_kept(client, lead, project):
    client.force_login(lead)
    response = client.post(request_url(project), {"motivation": "", "due_on": "2099-01-31"})
    assert response.status_code == 200
    assert "Ce champ est obligatoire." in response.content.decode()
    assert 'value="2099-01-31"' in response.content.decode()
    assert not GateReview.objects.exists()


def test_a_second_request_while_one_is_open_is_already_done(client, lead, review):
    client.force_login(lead)
    response = client.post(request_url(review.project), {"motivation": "Encore."})
    assert response.status_code == 302
    assert response.url == review_url(review)
    assert GateReview.objects.count() == 1
    assert any("Une revue de passage est déjà demandée" in m for m in messages_of(response))
    # the form itself sends back to the open review
    assert client.get(request_url(review.project)).url == review_url(review)


def test_agent_outside_the_team_gets_403_on_request(client, agent_b, project):
    client.force_login(agent_b)
    assert client.get(request_url(project)).status_code == 403
    assert client.post(request_url(project), {"motivation": "Moi aussi"}).status_code == 403
    assert not GateReview.objects.exists()


def test_draft_project_is_404_for_agent_b(client, agent_b, lead):
    draft = ProjectFactory(lead=lead, is_draft=True)
    review = GateReviewFactory(project=draft)
    client.force_login(agent_b)
    assert client.get(request_url(draft)).status_code == 404
    assert client.get(review_url(review)).status_code == 404


def test_citizen_gets_404_and_anonymous_goes_to_login(client, citizen, review):
    client.force_login(citizen)
    assert client.get(review_url(review)).status_code == 404
    client.logout()
    response = client.get(review_url(review))
    assert response.status_code == 302
    assert reverse("accounts:login") in response.url


# --- the review page and scores ---------------------------------------------------------------


def test_review_page_shows_criteria_and_the_summary_computed_by_the_database(
    client, agent_a, lab_staff, correspondent_a, review
):
    criteria = list(services.gate_criteria_for(review))
    services.gate_score(review=review, reviewer=lab_staff, scores={criteria[0].pk: (4, "")})
    services.gate_score(review=review, reviewer=correspondent_a, scores={criteria[0].pk: (5, "")})
    client.force_login(agent_a)
    response = client.get(review_url(review))
    content = response.content.decode()
    assert response.status_code == 200
    assert criteria[0].label in content
    assert "bloquant" in content
    assert "4,5" in content  # the mean of 4 and 5, French decimals
    assert response.context["summary"]["weighted_mean"] is not None
    # an agent neither scores nor decides, nor sees each reviewer's scores
    assert response.context["score_form"] is None
    assert response.context["decision_form"] is None
    assert response.context["scores"] == []


def test_named_reviewer_can_score_and_another_agent_gets_403(
    client, correspondent_a, agent_a, review
):
    client.force_login(correspondent_a)
    page = client.get(review_url(review))
    assert page.context["score_form"] is not None
    assert "<legend" in page.content.decode()  # each radio group is a fieldset with a legend
    response = client.post(review_url(review, "projects:gate-score"), score_data(review, 4))
    assert response.status_code == 302
    assert GateScore.objects.filter(review=review, reviewer=correspondent_a).count() == len(
        services.gate_criteria_for(review)
    )
    client.force_login(agent_a)
    assert (
        client.post(review_url(review, "projects:gate-score"), score_data(review, 4)).status_code
        == 403
    )


def test_scoring_again_updates_the_scores(client, correspondent_a, review):
    client.force_login(correspondent_a)
    client.post(review_url(review, "projects:gate-score"), score_data(review, 2))
    client.post(review_url(review, "projects:gate-score"), score_data(review, 5))
    scores = GateScore.objects.filter(review=review, reviewer=correspondent_a)
    assert {s.score for s in scores} == {5}


@pytest.mark.parametrize("score", [0, 6])
def test_scores_outside_1_to_5_are_refused_with_a_french_error(
    client, correspondent_a, review, score
):
    client.force_login(correspondent_a)
    response = client.post(review_url(review, "projects:gate-score"), score_data(review, score))
    assert response.status_code == 200
    assert "Choisissez une note de 1 à 5." in response.content.decode()
    assert not GateScore.objects.exists()


# --- decisions --------------------------------------------------------------------------------


def test_go_moves_the_stage_and_tells_team_and_followers(
    client, lab_staff, lead, agent_b, review, mailoutbox, django_capture_on_commit_callbacks
):
    follow(user=agent_b, obj=review.project)
    client.force_login(lab_staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = decide(client, review, decision="go", rationale="Le problème est clair.")
    assert response.status_code == 302
    review.refresh_from_db()
    review.project.refresh_from_db()
    assert review.status == GateReview.Status.DECIDED
    assert review.decision == "go"
    assert review.project.stage == Stage.CREATIVITY
    change = StageChange.objects.get(gate_review=review)
    assert (change.from_stage, change.to_stage, change.changed_by) == (
        Stage.IDEA,
        Stage.CREATIVITY,
        lab_staff,
    )
    assert {m.to[0] for m in mailoutbox} == {lead.email, agent_b.email}
    # the page now shows the decision, read-only
    page = client.get(review_url(review))
    assert page.context["decision_form"] is None
    assert page.context["score_form"] is None
    assert "Le problème est clair." in page.content.decode()


def test_a_blocking_criterion_scored_2_refuses_go_with_a_clear_message(client, lab_staff, review):
    blocking = services.gate_criteria_for(review).filter(is_blocking=True).first()
    services.gate_score(review=review, reviewer=lab_staff, scores={blocking.pk: (2, "")})
    client.force_login(lab_staff)
    response = decide(client, review, decision="go", rationale="On y va.")
    assert response.status_code == 200
    assert f"Critère bloquant insuffisant\u00a0: {blocking.label}." in response.content.decode()
    assert "On y va.</textarea>" in response.content.decode()  # what was typed is kept
    review.refresh_from_db()
    assert review.is_open
    assert review.project.stage == Stage.IDEA


def test_go_with_conditions_requires_the_conditions(client, lab_staff, review):
    client.force_login(lab_staff)
    response = decide(client, review, decision="go_conditions", rationale="Oui, mais.")
    assert response.status_code == 200
    assert "Précisez les conditions du go." in response.content.decode()


def test_hold_requires_a_future_revisit_date_and_shelves(client, lab_staff, review):
    client.force_login(lab_staff)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    response = decide(
        client, review, decision="hold", rationale="Pas maintenant.", revisit_on=yesterday
    )
    assert response.status_code == 200
    assert "Indiquez une date de réexamen à venir." in response.content.decode()
    assert GateReview.objects.get(pk=review.pk).is_open

    later = timezone.localdate() + datetime.timedelta(days=90)
    response = decide(
        client, review, decision="hold", rationale="Pas maintenant.", revisit_on=later
    )
    assert response.status_code == 302
    review.project.refresh_from_db()
    assert (review.project.stage, review.project.revisit_on) == (Stage.SHELVED, later)


def test_stop_requires_a_lesson_and_abandons(client, lab_staff, review):
    client.force_login(lab_staff)
    response = decide(client, review, decision="stop", rationale="Trop coûteux.")
    assert response.status_code == 200
    assert "La leçon apprise est obligatoire." in response.content.decode()

    response = decide(
        client,
        review,
        decision="stop",
        rationale="Trop coûteux.",
        lesson_learned="Tester le coût plus tôt.",
    )
    assert response.status_code == 302
    review.project.refresh_from_db()
    assert review.project.stage == Stage.ABANDONED
    assert review.project.lesson_learned == "Tester le coût plus tôt."


def test_deciding_or_scoring_a_decided_review_is_already_done(
    client, lab_staff, correspondent_a, review
):
    client.force_login(lab_staff)
    decide(client, review, decision="recycle", rationale="À retravailler.")
    response = decide(client, review, decision="go", rationale="Finalement oui.")
    assert response.status_code == 302
    assert "Cette revue est déjà décidée." in messages_of(response)
    review.refresh_from_db()
    assert review.decision == "recycle"
    assert review.project.stage == Stage.IDEA

    client.force_login(correspondent_a)
    response = client.post(review_url(review, "projects:gate-score"), score_data(review, 4))
    assert response.status_code == 302
    assert "Cette revue est déjà décidée." in messages_of(response)
    assert not GateScore.objects.exists()


def test_only_the_lab_decides(client, lead, correspondent_a, review):
    for user in (lead, correspondent_a):
        client.force_login(user)
        assert decide(client, review, decision="go", rationale="Go").status_code == 403
    assert GateReview.objects.get(pk=review.pk).is_open


def test_get_on_post_actions_is_405(client, lab_staff, review):
    client.force_login(lab_staff)
    assert client.get(review_url(review, "projects:gate-score")).status_code == 405
    assert client.get(review_url(review, "projects:gate-decide")).status_code == 405
