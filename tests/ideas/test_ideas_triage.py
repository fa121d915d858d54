"""Triage of ideas: the queue and its scope, bulk assignment, the scorecard, and the status
changes (under review, accepted as a project, merged, shelved, declined), each with a reason
told to the authors and followers."""

import datetime
import html

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from caflab.notifications.models import Follow, Notification
from caflab.notifications.services import follow, is_following
from ideas.models import Idea, IdeaScore, IdeaStatusChange, IdeaSupport
from ideas.services import ideas as services
from projects.models import GateCriterion, Project, ProjectOrigin, Stage
from projects.services import AlreadyDone, gate_decide, gate_request
from tests.accounts.factories import UserFactory
from tests.ideas.factories import IdeaFactory
from tests.queries import assert_flat_query_count

pytestmark = pytest.mark.django_db

TRIAGE = reverse("ideas:triage")
ASSIGN = reverse("ideas:triage-assign")
DASHBOARD = reverse("projects:dashboard")


def url(name: str, idea: Idea) -> str:
    return reverse(f"ideas:{name}", kwargs={"pk": idea.pk})


def text_of(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def co_author(caf_a):
    return UserFactory(email="co.autrice@caf38.example", caf=caf_a)


@pytest.fixture
def idea(agent_a, co_author):
    """Submitted by agent_a (Caf 38) with a co-author; the author follows it."""
    return services.idea_submit(
        by=agent_a,
        title="Rappeler les familles plutôt que les faire attendre",
        problem="Les familles attendent longtemps au téléphone.",
        solution="Un rappel à un créneau choisi.",
        co_authors=[co_author],
    )


@pytest.fixture
def idea_b(agent_b):
    return services.idea_submit(
        by=agent_b, title="Accueil sur rendez-vous à Lyon", problem="Files d'attente."
    )


def move(idea, by, to_status, reason="Motif détaillé.", **kwargs):
    return services.idea_move(idea=idea, by=by, to_status=to_status, reason=reason, **kwargs)


# --- the queue -------------------------------------------------------------------------------


def test_a_correspondent_sees_only_the_ideas_of_their_caf_in_the_queue(
    client, correspondent_a, idea, idea_b
):
    client.force_login(correspondent_a)
    response = client.get(TRIAGE)
    assert response.status_code == 200
    assert [i.pk for i in response.context["ideas"]] == [idea.pk]
    assert "caf" not in response.context["filter"].form.fields


def test_lab_staff_see_every_open_idea_and_filter_by_caf(client, lab_staff, idea, idea_b):
    decided = IdeaFactory(status=Idea.Status.DECLINED)
    client.force_login(lab_staff)
    ideas = client.get(TRIAGE).context["ideas"]
    assert {i.pk for i in ideas} == {idea.pk, idea_b.pk}
    assert decided.pk not in {i.pk for i in ideas}
    only_69 = client.get(TRIAGE, {"caf": "69"}).context["ideas"]
    assert [i.pk for i in only_69] == [idea_b.pk]


@pytest.mark.parametrize("persona", ["agent_a", "agent_b", "citizen"])
def test_agents_and_citizens_get_403_on_the_queue(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(TRIAGE).status_code == 403
    assert client.post(ASSIGN).status_code == 403


def test_the_queue_filters_reviewed_and_not_yet_reviewed_ideas(client, lab_staff, idea, idea_b):
    services.idea_score(
        idea=idea,
        reviewer=lab_staff,
        scores={c.pk: (4, "") for c in GateCriterion.objects.for_ideas()},
    )
    client.force_login(lab_staff)
    reviewed = client.get(TRIAGE, {"examinee": "oui"}).context["ideas"]
    not_yet = client.get(TRIAGE, {"examinee": "non"}).context["ideas"]
    assert [i.pk for i in reviewed] == [idea.pk]
    assert [i.pk for i in not_yet] == [idea_b.pk]


def test_bulk_assignment_names_the_reviewer_on_the_checked_ideas_and_tells_them_once(
    client, lab_staff, correspondent_a, idea, idea_b
):
    client.force_login(lab_staff)
    response = client.post(
        ASSIGN,
        {"idees": [idea.pk, idea_b.pk], "reviewer": correspondent_a.pk, "retour": "?examinee=non"},
    )
    assert response.status_code == 302
    assert response["Location"] == f"{TRIAGE}?examinee=non"
    assert set(Idea.objects.filter(reviewer=correspondent_a)) == {idea, idea_b}
    assert Notification.objects.filter(recipient=correspondent_a).count() == 1
    client.force_login(correspondent_a)
    mine = client.get(TRIAGE, {"examinateur": "moi"}).context["ideas"]
    assert [i.pk for i in mine] == [idea.pk]  # their queue stays their Caf's


def test_a_correspondent_cannot_assign_ideas_of_another_caf(client, correspondent_a, idea, idea_b):
    client.force_login(correspondent_a)
    response = client.post(ASSIGN, {"idees": [idea_b.pk], "reviewer": correspondent_a.pk})
    assert response.status_code == 302
    idea_b.refresh_from_db()
    assert idea_b.reviewer is None


def test_assigning_without_checking_any_idea_says_so(client, lab_staff, idea):
    client.force_login(lab_staff)
    response = client.post(ASSIGN, {"reviewer": lab_staff.pk}, follow=True)
    assert "Cochez au moins une idée." in text_of(response)


def test_the_return_address_of_an_assignment_is_only_a_query_string(client, lab_staff, idea):
    client.force_login(lab_staff)
    response = client.post(
        ASSIGN, {"idees": [idea.pk], "reviewer": lab_staff.pk, "retour": "https://evil.example"}
    )
    assert response["Location"] == TRIAGE


@pytest.fixture
def add_queue(caf_a, caf_b, lab_staff):
    authors = [UserFactory(caf=caf_a), UserFactory(caf=caf_b)]

    def add(n: int) -> None:
        for k in range(n):
            idea = IdeaFactory(
                author=authors[k % 2],
                caf=authors[k % 2].caf,
                status=Idea.Status.UNDER_REVIEW if k % 3 else Idea.Status.SUBMITTED,
                reviewer=lab_staff if k % 2 else None,
            )
            IdeaSupport.objects.create(idea=idea, user=authors[(k + 1) % 2])

    return add


# Session, user (with their Caf), the header's unread count, the page count, the ideas (the
# queue shows no themes), the reviewers of the assignment form, and for the lab one more: the
# Caf choices of the filters (a correspondent's queue has no Caf filter).
@pytest.mark.parametrize(("persona", "expected"), [("lab_staff", 7), ("correspondent_a", 6)])
def test_the_triage_queue_costs_a_fixed_number_of_queries(
    client, request, add_queue, persona, expected
):
    client.force_login(request.getfixturevalue(persona))
    assert_flat_query_count(client, TRIAGE, add_queue, sizes=(4, 40), expected=expected)


# --- the scorecard ---------------------------------------------------------------------------


def test_the_scorecard_gives_the_weighted_mean_of_the_idea_criteria(
    client, lab_staff, correspondent_a, idea
):
    criteria = list(GateCriterion.objects.for_ideas())
    weights = {c.pk: c.weight for c in criteria}
    first, second = criteria[0], criteria[-1]
    client.force_login(lab_staff)
    data = {f"note_{c.pk}": 3 for c in criteria} | {f"commentaire_{c.pk}": "" for c in criteria}
    data[f"note_{first.pk}"] = 5
    assert client.post(url("idea-score", idea), data).status_code == 302
    services.idea_score(
        idea=idea, reviewer=correspondent_a, scores={c.pk: (3, "") for c in criteria}
    )
    summary = services.idea_summary(idea)
    means = {row["criterion"].pk: row["mean"] for row in summary["rows"]}
    assert means[first.pk] == 4
    assert means[second.pk] == 3
    expected = sum(means[pk] * w for pk, w in weights.items()) / sum(weights.values())
    assert float(summary["weighted_mean"]) == pytest.approx(round(expected, 1))
    idea.refresh_from_db()
    assert idea.reviewed_at is not None
    page = client.get(url("idea-detail", idea))
    assert page.context["summary"]["weighted_mean"] == summary["weighted_mean"]
    assert "Moyenne pondérée" in text_of(page)


def test_scoring_again_updates_the_reviewers_scores(lab_staff, idea):
    criterion = GateCriterion.objects.for_ideas().first()
    services.idea_score(idea=idea, reviewer=lab_staff, scores={criterion.pk: (2, "")})
    services.idea_score(idea=idea, reviewer=lab_staff, scores={criterion.pk: (4, "Mieux.")})
    assert IdeaScore.objects.get().score == 4


def test_a_score_outside_1_to_5_or_an_unknown_criterion_is_refused(lab_staff, idea):
    gate = GateCriterion.objects.filter(scorecard="gate").first()
    criterion = GateCriterion.objects.for_ideas().first()
    with pytest.raises(ValidationError):
        services.idea_score(idea=idea, reviewer=lab_staff, scores={criterion.pk: (6, "")})
    with pytest.raises(ValidationError):
        services.idea_score(idea=idea, reviewer=lab_staff, scores={gate.pk: (3, "")})
    assert not IdeaScore.objects.exists()


def test_an_incomplete_scorecard_shows_the_page_again_with_french_errors(client, lab_staff, idea):
    client.force_login(lab_staff)
    response = client.post(url("idea-score", idea), {})
    assert response.status_code == 200
    assert "Choisissez une note de 1 à 5." in text_of(response)


@pytest.mark.parametrize(("persona", "status"), [("agent_a", 403), ("agent_b", 403)])
def test_agents_cannot_score_nor_change_the_status(client, request, persona, status, idea):
    client.force_login(request.getfixturevalue(persona))
    assert client.post(url("idea-score", idea), {}).status_code == status
    assert client.get(url("idea-status", idea)).status_code == status
    assert client.post(url("idea-status", idea), {}).status_code == status


def test_a_correspondent_triages_their_cafs_ideas_only(client, correspondent_a, idea, idea_b):
    client.force_login(correspondent_a)
    assert client.get(url("idea-status", idea)).status_code == 200
    assert client.get(url("idea-status", idea_b)).status_code == 403


def test_the_named_reviewer_scores_an_idea_of_another_caf(client, correspondent_a, idea_b):
    Idea.objects.filter(pk=idea_b.pk).update(reviewer=correspondent_a)
    client.force_login(correspondent_a)
    page = client.get(url("idea-detail", idea_b))
    assert page.context["score_form"] is not None
    assert page.context["can_triage"] is False


# --- status changes --------------------------------------------------------------------------


def test_every_status_change_requires_a_reason(client, lab_staff, idea):
    with pytest.raises(ValidationError):
        move(idea, lab_staff, Idea.Status.DECLINED, reason="   ")
    client.force_login(lab_staff)
    response = client.post(url("idea-status", idea), {"to_status": "declined", "reason": ""})
    assert response.status_code == 200
    assert "Le motif est obligatoire" in text_of(response)
    idea.refresh_from_db()
    assert idea.status == Idea.Status.SUBMITTED
    assert IdeaStatusChange.objects.filter(idea=idea).count() == 1


def test_a_status_change_tells_authors_co_authors_and_followers_with_the_reason(
    client,
    lab_staff,
    agent_a,
    co_author,
    agent_b,
    idea,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    follow(user=agent_b, obj=idea)
    # Authors are told even if they asked for no e-mail: it is their own contribution.
    agent_a.email_frequency = "never"
    agent_a.save(update_fields=["email_frequency"])
    client.force_login(lab_staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("idea-status", idea),
            {"to_status": "under_review", "reason": "Le comité l'examine en juin."},
        )
    assert response.status_code == 302
    change = IdeaStatusChange.objects.filter(idea=idea).latest("changed_at")
    assert (change.from_status, change.to_status, change.changed_by) == (
        "submitted",
        "under_review",
        lab_staff,
    )
    assert change.reason == "Le comité l'examine en juin."
    assert sorted(m.to[0] for m in mailoutbox) == sorted(
        [agent_a.email, co_author.email, agent_b.email]
    )
    assert all("Le comité l'examine en juin." in m.body for m in mailoutbox)
    own = Notification.objects.get(recipient=agent_a)
    assert own.is_own_contribution
    assert "Votre idée" in own.title
    assert not Notification.objects.filter(recipient=lab_staff).exists()


def test_accepting_an_idea_creates_a_project_with_the_idea_as_origin(
    client, lab_staff, agent_a, idea, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(lab_staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("idea-status", idea),
            {"to_status": "accepted", "reason": "Idée prometteuse.", "stage": "creativity"},
        )
    assert response.status_code == 302
    idea.refresh_from_db()
    project = Project.objects.get()
    assert idea.status == Idea.Status.ACCEPTED
    assert idea.project == project
    assert (project.title, project.problem, project.stage) == (
        idea.title,
        idea.problem,
        Stage.CREATIVITY,
    )
    assert project.pilot_caf == idea.caf
    assert not project.is_draft
    origin = ProjectOrigin.objects.get(project=project)
    assert origin.content_type == ContentType.objects.get_for_model(Idea)
    assert origin.object_id == idea.pk
    assert any(project.code in m.body for m in mailoutbox if m.to == [agent_a.email])


def test_the_idea_page_shows_the_current_stage_of_the_project_it_became(
    client, lab_staff, agent_b, idea
):
    move(idea, lab_staff, Idea.Status.ACCEPTED, stage=Stage.IDEA)
    idea.refresh_from_db()
    client.force_login(agent_b)
    page = text_of(client.get(url("idea-detail", idea)))
    assert idea.project.get_absolute_url() in page
    assert "Étape\u00a0: </span>Idée</span>" in page
    review = gate_request(project=idea.project, by=lab_staff, motivation="Prête.")
    gate_decide(review=review, by=lab_staff, decision="go", rationale="Allons-y.")
    page = text_of(client.get(url("idea-detail", idea)))
    assert "Étape\u00a0: </span>Séance de créativité</span>" in page


def test_an_accepted_idea_is_final(lab_staff, idea):
    move(idea, lab_staff, Idea.Status.ACCEPTED)
    with pytest.raises(AlreadyDone):
        move(idea, lab_staff, Idea.Status.DECLINED)
    assert Project.objects.count() == 1


def test_accepting_twice_at_once_creates_one_project(lab_staff, idea):
    move(idea, lab_staff, Idea.Status.ACCEPTED)
    with pytest.raises(AlreadyDone):
        move(idea, lab_staff, Idea.Status.ACCEPTED)
    assert Project.objects.count() == 1


def test_merging_carries_supporters_and_followers_over_without_duplicates_and_tells_them(
    lab_staff,
    agent_a,
    agent_b,
    co_author,
    idea,
    idea_b,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    both = UserFactory(email="les.deux@caf38.example")
    only_merged = UserFactory(email="soutien@caf38.example")
    follower = UserFactory(email="abonne@caf38.example")
    for user in (both, only_merged):
        IdeaSupport.objects.create(idea=idea, user=user)
    IdeaSupport.objects.create(idea=idea_b, user=both)
    follow(user=follower, obj=idea)
    follow(user=both, obj=idea_b)
    with django_capture_on_commit_callbacks(execute=True):
        move(idea, lab_staff, Idea.Status.MERGED, reason="Même besoin.", merged_into=idea_b)
    idea.refresh_from_db()
    assert (idea.status, idea.merged_into) == (Idea.Status.MERGED, idea_b)
    assert set(idea_b.supports.values_list("user", flat=True)) == {both.pk, only_merged.pk}
    assert IdeaSupport.objects.filter(idea=idea_b, user=both).count() == 1
    for user in (agent_a, co_author, follower, only_merged, both):
        assert is_following(user=user, obj=idea_b)
    idea_b_type = ContentType.objects.get_for_model(Idea)
    assert (
        Follow.objects.filter(content_type=idea_b_type, object_id=idea_b.pk, user=both).count() == 1
    )
    told = [m.to[0] for m in mailoutbox]
    # each person once: authors and followers with the status change, the supporters who did
    # not follow it with the carry-over, the target's author that an idea joined theirs
    assert sorted(told) == sorted(
        [
            agent_a.email,
            co_author.email,
            follower.email,
            only_merged.email,
            both.email,
            agent_b.email,
        ]
    )
    assert all(told.count(address) == 1 for address in told)


def test_an_idea_cannot_be_merged_into_itself_nor_into_a_merged_idea(lab_staff, idea, idea_b):
    with pytest.raises(ValidationError):
        move(idea, lab_staff, Idea.Status.MERGED, merged_into=idea)
    third = IdeaFactory()
    move(idea_b, lab_staff, Idea.Status.MERGED, merged_into=third)
    idea_b.refresh_from_db()
    with pytest.raises(ValidationError):
        move(idea, lab_staff, Idea.Status.MERGED, merged_into=idea_b)


def test_shelving_needs_a_revisit_date_to_come(client, lab_staff, idea):
    with pytest.raises(ValidationError):
        move(idea, lab_staff, Idea.Status.SHELVED)
    client.force_login(lab_staff)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    response = client.post(
        url("idea-status", idea),
        {"to_status": "shelved", "reason": "Pas cette année.", "revisit_on": yesterday},
    )
    assert "Indiquez une date de réexamen à venir." in text_of(response)
    later = timezone.localdate() + datetime.timedelta(days=90)
    client.post(
        url("idea-status", idea),
        {"to_status": "shelved", "reason": "Pas cette année.", "revisit_on": later.isoformat()},
    )
    idea.refresh_from_db()
    assert (idea.status, idea.revisit_on) == (Idea.Status.SHELVED, later)


def test_a_declined_idea_can_be_reopened_for_review_and_leaves_the_queue_meanwhile(
    client, lab_staff, idea
):
    move(idea, lab_staff, Idea.Status.DECLINED, reason="Hors du champ de la Caf.")
    assert not Idea.objects.triage_queue_for(lab_staff).filter(pk=idea.pk).exists()
    move(idea, lab_staff, Idea.Status.UNDER_REVIEW, reason="Nouveaux éléments.")
    idea.refresh_from_db()
    assert idea.status == Idea.Status.UNDER_REVIEW
    assert [c.to_status for c in idea.status_changes.order_by("changed_at", "pk")] == [
        "submitted",
        "declined",
        "under_review",
    ]


# --- the director's dashboard ----------------------------------------------------------------


def test_the_dashboard_counts_ideas_by_source_and_their_conversion_to_projects(client, lab_staff):
    for _ in range(3):
        IdeaFactory(source=Idea.Source.BOX)
    accepted = IdeaFactory(source=Idea.Source.BOX)
    move(accepted, lab_staff, Idea.Status.ACCEPTED)
    IdeaFactory(source=Idea.Source.CRIEE)
    client.force_login(lab_staff)
    sources = client.get(DASHBOARD).context["idea_sources"]
    rows = {row["label"]: row for row in sources["rows"]}
    assert (rows["Boîte à idées"]["ideas"], rows["Boîte à idées"]["projects"]) == (4, 1)
    assert rows["Boîte à idées"]["rate"] == 25.0
    assert (rows["Criée"]["ideas"], rows["Criée"]["rate"]) == (1, 0.0)
    assert rows["Défi"]["rate"] is None
    assert (sources["total"], sources["projects"]) == (5, 1)
