"""Challenges: the lab runs them, teams submit entries, the jury scores them, the ranking orders
them, the results are published and the winners become ideas (not projects)."""

import datetime
import re
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from caflab.accounts.models import Role
from caflab.network.models import Directorate
from caflab.notifications.models import Notification
from caflab.notifications.services import follow
from ideas.models import Challenge, ChallengeEntry, EntryScore, Idea
from ideas.services import challenges as services
from projects.models import GateCriterion, Project, Scorecard
from projects.scoring import rounded_mean, weighted_summary
from tests.accounts.factories import UserFactory
from tests.ideas.factories import (
    ChallengeCriterionFactory,
    ChallengeEntryFactory,
    ChallengeFactory,
    EntryScoreFactory,
)
from tests.network.factories import PartnerFactory
from tests.queries import assert_flat_query_count

pytestmark = pytest.mark.django_db

Status = Challenge.Status


@pytest.fixture
def juror(correspondent_a):
    return correspondent_a


@pytest.fixture
def second_juror(db):
    return UserFactory(email="jure.deux@cnaf.example", role=Role.LAB_STAFF, caf=None)


@pytest.fixture
def challenge(lab_staff, juror, second_juror):
    challenge = ChallengeFactory(created_by=lab_staff, jury=[juror, second_juror])
    ChallengeCriterionFactory(challenge=challenge, label="Utilité pour les allocataires", weight=2)
    ChallengeCriterionFactory(challenge=challenge, label="Faisabilité", weight=1)
    return challenge


@pytest.fixture
def judging(challenge):
    challenge.status = Status.JUDGING
    challenge.save(update_fields=["status"])
    return challenge


def criteria_of(challenge) -> list[GateCriterion]:
    return list(GateCriterion.objects.for_challenge(challenge).order_by("position", "pk"))


def url(name: str, obj) -> str:
    return reverse(f"ideas:{name}", kwargs={"pk": obj.pk})


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def challenge_data(**overrides) -> dict[str, object]:
    today = timezone.localdate()
    data = {
        "title": "Dojo de la relation allocataire",
        "kind": "dojo",
        "brief": "Comment mieux accueillir les allocataires sans rendez-vous ?",
        "sponsor": Directorate.objects.first().pk,
        "audience": "agents",
        "submissions_open_on": today.isoformat(),
        "submissions_close_on": (today + datetime.timedelta(days=10)).isoformat(),
        "judging_close_on": (today + datetime.timedelta(days=20)).isoformat(),
        "results_on": (today + datetime.timedelta(days=30)).isoformat(),
        "jury": "",
        "criteres-TOTAL_FORMS": "3",
        "criteres-INITIAL_FORMS": "0",
        "criteres-MIN_NUM_FORMS": "0",
        "criteres-MAX_NUM_FORMS": "1000",
        "criteres-0-label": "Impact",
        "criteres-0-weight": "3",
        "criteres-0-position": "1",
        "criteres-1-label": "Originalité",
        "criteres-1-weight": "1",
        "criteres-1-position": "2",
        "criteres-2-weight": "1",
        "criteres-2-position": "",
    }
    return data | overrides


def score(entry, juror, values: dict[str, int]) -> None:
    """Record `juror`'s scores on `entry`, by criterion label, through the service."""
    by_label = {c.label: c.pk for c in criteria_of(entry.challenge)}
    services.entry_score(
        entry=entry,
        juror=juror,
        scores={by_label[label]: (value, "") for label, value in values.items()},
    )


# --- who sees what -------------------------------------------------------------------------


def test_citizens_get_403_on_the_list_and_404_on_a_challenge(client, citizen, challenge):
    client.force_login(citizen)
    assert client.get(reverse("ideas:challenge-list")).status_code == 403
    assert client.get(url("challenge-detail", challenge)).status_code == 404


def test_no_challenge_announces_an_audience_that_cannot_open_it(client, citizen, challenge):
    """The "open to the public" option answered citizens with 404: it is gone (its challenges
    moved to agents and partners by a migration); citizens are consulted through écoute."""
    assert "public" not in Challenge.Audience.values
    challenge.audience = Challenge.Audience.AGENTS_AND_PARTNERS
    challenge.save(update_fields=["audience"])
    client.force_login(citizen)
    assert client.get(url("challenge-detail", challenge)).status_code == 404


def test_anonymous_visitors_are_sent_to_the_login_page(client, challenge):
    response = client.get(url("challenge-detail", challenge))
    assert response.status_code == 302
    assert reverse("accounts:login") in response.url


def test_a_draft_challenge_is_404_to_everyone_but_the_lab(client, lab_staff, agent_a, challenge):
    challenge.status = Status.DRAFT
    challenge.save(update_fields=["status"])
    client.force_login(agent_a)
    assert client.get(url("challenge-detail", challenge)).status_code == 404
    assert challenge.title not in client.get(reverse("ideas:challenge-list")).content.decode()
    client.force_login(lab_staff)
    assert client.get(url("challenge-detail", challenge)).status_code == 200


def test_a_partner_sees_only_the_challenges_open_to_partners(client, challenge):
    partner = UserFactory(role=Role.PARTNER, caf=None, partner=PartnerFactory())
    client.force_login(partner)
    assert client.get(url("challenge-detail", challenge)).status_code == 404
    challenge.audience = Challenge.Audience.AGENTS_AND_PARTNERS
    challenge.save(update_fields=["audience"])
    assert client.get(url("challenge-detail", challenge)).status_code == 200


def test_agents_cannot_create_or_edit_a_challenge(client, agent_a, challenge):
    client.force_login(agent_a)
    assert client.get(reverse("ideas:challenge-create")).status_code == 403
    assert client.get(url("challenge-update", challenge)).status_code == 403
    assert client.post(url("challenge-detail", challenge), {"status": "judging"}).status_code == 403


def test_before_the_results_a_team_sees_only_its_own_entry(client, agent_a, agent_b, challenge):
    mine = ChallengeEntryFactory(challenge=challenge, submitted_by=agent_a, title="La mienne")
    ChallengeEntryFactory(challenge=challenge, submitted_by=agent_b, title="Celle de Lyon")
    client.force_login(agent_a)
    html = client.get(url("challenge-detail", challenge)).content.decode()
    assert mine.title in html
    assert "Celle de Lyon" not in html


# --- creating and editing ------------------------------------------------------------------


def test_the_lab_creates_a_draft_challenge_with_its_criteria_and_jury(
    client, lab_staff, correspondent_a
):
    client.force_login(lab_staff)
    data = challenge_data(jury=f"{correspondent_a.email}\n")
    response = client.post(reverse("ideas:challenge-create"), data)
    challenge = Challenge.objects.get()
    assert response.status_code == 302
    assert response.url == challenge.get_absolute_url()
    assert challenge.status == Status.DRAFT
    assert challenge.created_by == lab_staff
    assert list(challenge.jury.all()) == [correspondent_a]
    criteria = criteria_of(challenge)
    assert [(c.label, c.weight, c.scorecard) for c in criteria] == [
        ("Impact", 3, Scorecard.CHALLENGE),
        ("Originalité", 1, Scorecard.CHALLENGE),
    ]


def test_dates_out_of_order_are_a_french_form_error_with_the_typed_values_kept(client, lab_staff):
    client.force_login(lab_staff)
    data = challenge_data(results_on="2020-01-01")
    response = client.post(reverse("ideas:challenge-create"), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "La publication des résultats suit la fin des délibérations." in html
    assert 'value="Dojo de la relation allocataire"' in html
    assert not Challenge.objects.exists()


def test_the_database_refuses_dates_out_of_order_too(lab_staff):
    today = timezone.localdate()
    with pytest.raises(IntegrityError), transaction.atomic():
        Challenge.objects.create(
            title="Dates à l'envers",
            kind="hackathon",
            brief="…",
            submissions_open_on=today,
            submissions_close_on=today - datetime.timedelta(days=1),
            judging_close_on=today,
            results_on=today,
        )


def test_a_jury_member_must_be_a_network_member(client, lab_staff, citizen):
    client.force_login(lab_staff)
    response = client.post(
        reverse("ideas:challenge-create"),
        challenge_data(jury=f"{citizen.email}\ninconnu@example.org"),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Adresse inconnue ou non autorisée ici" in html
    assert "inconnu@example.org" in html
    assert not Challenge.objects.exists()


def test_the_lab_edits_the_criteria_weights_on_the_challenge_page(client, lab_staff, challenge):
    client.force_login(lab_staff)
    response = client.get(url("challenge-update", challenge))
    assert response.status_code == 200
    assert "Utilité pour les allocataires" in response.content.decode()
    utility, feasibility = criteria_of(challenge)
    data = challenge_data(
        title=challenge.title,
        **{
            "criteres-TOTAL_FORMS": "3",
            "criteres-INITIAL_FORMS": "2",
            "criteres-0-id": utility.pk,
            "criteres-0-label": utility.label,
            "criteres-0-weight": "5",
            "criteres-0-position": "1",
            "criteres-1-id": feasibility.pk,
            "criteres-1-label": feasibility.label,
            "criteres-1-weight": "1",
            "criteres-1-position": "2",
            "criteres-1-DELETE": "on",
            "criteres-2-label": "Coût",
            "criteres-2-weight": "2",
            "criteres-2-position": "3",
        },
    )
    response = client.post(url("challenge-update", challenge), data)
    assert response.status_code == 302
    assert [(c.label, c.weight) for c in criteria_of(challenge)] == [
        ("Utilité pour les allocataires", 5),
        ("Coût", 2),
    ]


def test_a_criterion_already_scored_cannot_be_removed(client, lab_staff, juror, judging):
    entry = ChallengeEntryFactory(challenge=judging)
    utility, feasibility = criteria_of(judging)
    EntryScoreFactory(entry=entry, criterion=feasibility, reviewer=juror, score=4)
    client.force_login(lab_staff)
    data = challenge_data(
        **{
            "criteres-TOTAL_FORMS": "2",
            "criteres-INITIAL_FORMS": "2",
            "criteres-0-id": utility.pk,
            "criteres-0-label": utility.label,
            "criteres-0-weight": "2",
            "criteres-1-id": feasibility.pk,
            "criteres-1-label": feasibility.label,
            "criteres-1-weight": "1",
            "criteres-1-DELETE": "on",
        }
    )
    response = client.post(url("challenge-update", judging), data)
    assert response.status_code == 200
    assert "a déjà été noté" in response.content.decode()
    assert len(criteria_of(judging)) == 2


def test_the_lab_opens_the_challenge_then_starts_the_jury(client, lab_staff, juror, challenge):
    challenge.status = Status.DRAFT
    challenge.save(update_fields=["status"])
    client.force_login(lab_staff)
    client.post(url("challenge-detail", challenge), {"status": "open"})
    challenge.refresh_from_db()
    assert challenge.status == Status.OPEN
    client.post(url("challenge-detail", challenge), {"status": "judging"})
    challenge.refresh_from_db()
    assert challenge.status == Status.JUDGING
    assert Notification.objects.filter(kind="challenge.judging", recipient=juror).exists()
    # a skipped step is refused, never a 500
    response = client.post(url("challenge-detail", challenge), {"status": "closed"})
    assert response.status_code == 302
    assert any("n’est pas possible" in m for m in messages_of(response))


# --- entries -------------------------------------------------------------------------------


def test_an_agent_submits_an_entry_and_is_a_member_of_its_team(client, agent_a, agent_b, challenge):
    client.force_login(agent_a)
    response = client.post(
        url("challenge-entry-create", challenge),
        {
            "title": "Déclaration en trois clics",
            "summary": "Préremplir la déclaration avec les données connues.",
            "team_name": "Les Alpins",
            "members": agent_b.email.upper(),
        },
    )
    assert response.status_code == 302
    entry = ChallengeEntry.objects.get()
    assert entry.submitted_by == agent_a
    assert set(entry.members.all()) == {agent_a, agent_b}
    assert Notification.objects.filter(kind="challenge.entry_member", recipient=agent_b).exists()


def test_entries_are_refused_once_the_submissions_are_closed(client, agent_a, judging):
    client.force_login(agent_a)
    response = client.post(
        url("challenge-entry-create", judging), {"title": "Trop tard", "summary": "…"}
    )
    assert response.status_code == 302
    assert response.url == judging.get_absolute_url()
    assert not ChallengeEntry.objects.exists()


# --- the jury ------------------------------------------------------------------------------


def test_a_juror_scores_each_criterion_and_scoring_again_updates(client, juror, judging):
    entry = ChallengeEntryFactory(challenge=judging)
    utility, feasibility = criteria_of(judging)
    client.force_login(juror)
    page = client.get(url("entry-score", entry))
    assert page.status_code == 200
    assert "Utilité pour les allocataires" in page.content.decode()
    for values in ((2, 3), (5, 4)):
        response = client.post(
            url("entry-score", entry),
            {
                f"note_{utility.pk}": values[0],
                f"commentaire_{utility.pk}": "",
                f"note_{feasibility.pk}": values[1],
                f"commentaire_{feasibility.pk}": "Réaliste",
            },
        )
        assert response.status_code == 302
    rows = EntryScore.objects.filter(entry=entry, reviewer=juror)
    assert sorted(rows.values_list("criterion__label", "score")) == [
        ("Faisabilité", 4),
        ("Utilité pour les allocataires", 5),
    ]


def test_a_score_outside_1_to_5_is_a_form_error(client, juror, judging):
    entry = ChallengeEntryFactory(challenge=judging)
    utility, feasibility = criteria_of(judging)
    client.force_login(juror)
    response = client.post(
        url("entry-score", entry), {f"note_{utility.pk}": 9, f"note_{feasibility.pk}": 3}
    )
    assert response.status_code == 200
    assert "Choisissez une note de 1 à 5." in response.content.decode()
    assert not EntryScore.objects.exists()


def test_the_database_keeps_one_score_per_juror_per_criterion(juror, judging):
    entry = ChallengeEntryFactory(challenge=judging)
    utility = criteria_of(judging)[0]
    EntryScore.objects.create(entry=entry, criterion=utility, reviewer=juror, score=3)
    with pytest.raises(IntegrityError), transaction.atomic():
        EntryScore.objects.create(entry=entry, criterion=utility, reviewer=juror, score=4)


def test_only_jury_members_score_and_only_while_judging(
    client, lab_staff, agent_a, juror, challenge
):
    entry = ChallengeEntryFactory(challenge=challenge)
    client.force_login(juror)
    response = client.get(url("entry-score", entry))  # still open: not yet
    assert response.status_code == 302
    challenge.status = Status.JUDGING
    challenge.save(update_fields=["status"])
    for user in (agent_a, lab_staff):  # the lab is not on this jury
        client.force_login(user)
        assert client.get(url("entry-score", entry)).status_code == 403


# --- ranking -------------------------------------------------------------------------------


def test_the_ranking_orders_entries_by_weighted_mean_on_known_scores(
    client, lab_staff, juror, second_juror, judging
):
    # Utility weighs 2, feasibility 1.
    balanced = ChallengeEntryFactory(challenge=judging, title="Équilibrée")
    useful = ChallengeEntryFactory(challenge=judging, title="Utile")
    feasible_only = ChallengeEntryFactory(challenge=judging, title="Faisable seulement")
    unscored = ChallengeEntryFactory(challenge=judging, title="Pas notée")
    # (4×2 + 2×1) / 3 = 3.33: utility means 4 over two jurors
    score(balanced, juror, {"Utilité pour les allocataires": 5, "Faisabilité": 2})
    score(balanced, second_juror, {"Utilité pour les allocataires": 3})
    # (3×2 + 5×1) / 3 = 3.67
    score(useful, juror, {"Utilité pour les allocataires": 3, "Faisabilité": 5})
    score(useful, second_juror, {"Faisabilité": 5})
    # only feasibility scored: 4.0 (unscored criteria do not count)
    score(feasible_only, juror, {"Faisabilité": 4})

    ranked = list(services.ranked_entries(judging))
    assert [e.title for e in ranked] == ["Faisable seulement", "Utile", "Équilibrée", "Pas notée"]
    assert [rounded_mean(e.weighted_mean) for e in ranked][:3] == [
        Decimal("4.0"),
        Decimal("3.7"),
        Decimal("3.3"),
    ]
    assert ranked[-1].weighted_mean is None
    # the database's figure is the scorecard's
    for entry in ranked[:3]:
        summary = weighted_summary(criteria_of(judging), EntryScore.objects.filter(entry=entry))
        assert rounded_mean(entry.weighted_mean) == summary["weighted_mean"]
    assert [e.n_jurors for e in ranked] == [1, 2, 2, 0]

    client.force_login(lab_staff)
    html = client.get(url("challenge-ranking", judging)).content.decode()
    assert html.index("Faisable seulement") < html.index("Utile") < html.index("Équilibrée")
    assert unscored.title in html


def test_the_ranking_is_the_lab_and_the_jury_s_until_the_results(client, agent_a, juror, judging):
    client.force_login(agent_a)
    assert client.get(url("challenge-ranking", judging)).status_code == 403
    client.force_login(juror)
    assert client.get(url("challenge-ranking", judging)).status_code == 200
    judging.status = Status.RESULTS_PUBLISHED
    judging.save(update_fields=["status"])
    client.force_login(agent_a)
    assert client.get(url("challenge-ranking", judging)).status_code == 200


def test_the_ranking_costs_the_same_number_of_queries_whatever_the_number_of_entries(
    client, lab_staff, juror, second_juror, judging
):
    client.force_login(lab_staff)

    def add_entries(n: int) -> None:
        for _ in range(n):
            entry = ChallengeEntryFactory(challenge=judging)
            score(entry, juror, {"Utilité pour les allocataires": 4, "Faisabilité": 3})
            score(entry, second_juror, {"Faisabilité": 5})

    assert_flat_query_count(
        client, url("challenge-ranking", judging), add_entries, sizes=(2, 12), expected=8
    )


def test_the_challenge_list_costs_the_same_number_of_queries_whatever_its_size(
    client, agent_a, lab_staff
):
    client.force_login(agent_a)

    def add_challenges(n: int) -> None:
        for _ in range(n):
            challenge = ChallengeFactory(created_by=lab_staff)
            ChallengeEntryFactory(challenge=challenge)

    assert_flat_query_count(
        client, reverse("ideas:challenge-list"), add_challenges, sizes=(2, 12), expected=7
    )


# --- results and winners -------------------------------------------------------------------


def test_publishing_the_results_marks_the_winners_and_tells_teams_and_followers(
    client,
    lab_staff,
    agent_a,
    agent_b,
    correspondent_a,
    judging,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    winner = ChallengeEntryFactory(challenge=judging, submitted_by=agent_a, members=[agent_b])
    other = ChallengeEntryFactory(challenge=judging)
    follower = UserFactory(email="curieuse@caf38.example", role=Role.AGENT)
    follow(user=follower, obj=judging)
    client.force_login(lab_staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("challenge-publish", judging),
            {"winners": [winner.pk], "results_summary": "Le jury retient la déclaration."},
        )
    assert response.status_code == 302
    judging.refresh_from_db()
    assert judging.status == Status.RESULTS_PUBLISHED
    assert judging.results_summary == "Le jury retient la déclaration."
    winner.refresh_from_db()
    other.refresh_from_db()
    assert (winner.is_winner, other.is_winner) == (True, False)
    told = set(
        Notification.objects.filter(kind="challenge.results_published").values_list(
            "recipient__email", flat=True
        )
    )
    assert {agent_a.email, agent_b.email, other.submitted_by.email, follower.email} <= told
    assert lab_staff.email not in told  # the actor
    assert agent_a.email in {m.to[0] for m in mailoutbox}


def test_results_without_a_winner_are_a_form_error(client, lab_staff, judging):
    ChallengeEntryFactory(challenge=judging)
    client.force_login(lab_staff)
    response = client.post(url("challenge-publish", judging), {"results_summary": "…"})
    assert response.status_code == 200
    assert "Choisissez au moins une contribution lauréate." in response.content.decode()
    judging.refresh_from_db()
    assert judging.status == Status.JUDGING


def test_a_winner_becomes_an_idea_with_the_challenge_as_origin_not_a_project(
    client, lab_staff, agent_a, agent_b, judging
):
    winner = ChallengeEntryFactory(
        challenge=judging, submitted_by=agent_a, members=[agent_b], title="Déclaration en 3 clics"
    )
    services.results_publish(challenge=judging, by=lab_staff, summary="Bravo.", winners=[winner])
    client.force_login(lab_staff)
    response = client.post(url("entry-to-idea", winner))
    assert response.status_code == 302
    winner.refresh_from_db()
    idea = winner.idea
    assert idea is not None
    assert (idea.title, idea.problem) == (winner.title, winner.summary)
    assert (idea.source, idea.challenge, idea.author) == (Idea.Source.CHALLENGE, judging, agent_a)
    assert list(idea.co_authors.all()) == [agent_b]
    assert idea.status == Idea.Status.SUBMITTED
    assert idea.caf == agent_a.caf
    assert not Project.objects.exists()
    assert Notification.objects.filter(kind="challenge.entry_to_idea", recipient=agent_b).exists()
    # turning it again keeps one idea
    response = client.post(url("entry-to-idea", winner))
    assert response.status_code == 302
    assert Idea.objects.count() == 1
    assert any("déjà devenue une idée" in m for m in messages_of(response))


def test_only_the_lab_turns_an_entry_into_an_idea_and_only_after_the_results(
    client, lab_staff, juror, judging
):
    entry = ChallengeEntryFactory(challenge=judging)
    client.force_login(juror)
    assert client.post(url("entry-to-idea", entry)).status_code == 403
    client.force_login(lab_staff)
    response = client.post(url("entry-to-idea", entry))
    assert response.status_code == 302
    assert any("pas encore publiés" in m for m in messages_of(response))
    assert not Idea.objects.exists()


# --- pages ---------------------------------------------------------------------------------


def _page_structure_is_sound(html: str) -> None:
    assert html.count("<h1") == 1
    ids = re.findall(r' id="([^"]+)"', html)
    assert not {i for i in ids if ids.count(i) > 1}, "duplicate ids"


def test_the_challenge_pages_have_one_heading_and_no_duplicate_id(
    client, lab_staff, juror, judging
):
    entry = ChallengeEntryFactory(challenge=judging)
    client.force_login(lab_staff)
    for name, obj in (
        ("challenge-detail", judging),
        ("challenge-update", judging),
        ("challenge-ranking", judging),
    ):
        _page_structure_is_sound(client.get(url(name, obj)).content.decode())
    _page_structure_is_sound(client.get(reverse("ideas:challenge-create")).content.decode())
    _page_structure_is_sound(client.get(reverse("ideas:challenge-list")).content.decode())
    client.force_login(juror)
    _page_structure_is_sound(client.get(url("entry-score", entry)).content.decode())
    judging.status = Status.OPEN
    judging.save(update_fields=["status"])
    _page_structure_is_sound(client.get(url("challenge-entry-create", judging)).content.decode())
