"""The home's "Ce qui vous attend": each role sees what waits for it (counts, links to where
the action is done), never another Caf's or another person's, and the page costs the same
number of queries whatever the data size."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from caflab.accounts.models import Role
from caflab.network.models import Caf, Directorate
from criees.models import Initiative, InitiativeStatusChange, InterestLevel, Pitch
from ecoute.models import Consultation, OfficialAnswer
from evaluation.models import ImpactReport
from ideas.models import Idea, IdeaStatusChange
from projects.models import Deployment, Stage, Track
from tests.accounts.factories import UserFactory
from tests.criees.factories import (
    CommentFactory,
    CrieeFactory,
    InitiativeFactory,
    InterestFactory,
    PitchFactory,
)
from tests.ecoute.factories import ConsultationFactory, ContributionFactory
from tests.evaluation.factories import ImpactReportFactory, IndicatorFactory, MeasurementFactory
from tests.events.factories import EventFactory, RegistrationFactory
from tests.ideas.factories import IdeaFactory
from tests.projects.factories import DeploymentFactory, GateReviewFactory, ProjectFactory
from tests.queries import count_queries

pytestmark = pytest.mark.django_db

HOME = "/"


def waiting_items(client, user) -> dict[str, object]:
    """label → WaitingItem of every panel the user's home shows."""
    client.force_login(user)
    response = client.get(HOME)
    assert response.status_code == 200
    return {
        str(item.label): item
        for _panel, values in response.context["waiting"]
        for item in values["items"]
    }


def item_with(items: dict, words: str):
    found = [item for label, item in items.items() if words in label]
    assert len(found) == 1, f"{words!r} not in {list(items)}"
    return found[0]


def today() -> datetime.date:
    return timezone.localdate()


def closed_consultation(*, days_ago: int, **fields) -> Consultation:
    closed_on = timezone.now() - datetime.timedelta(days=days_ago)
    return ConsultationFactory(
        status=Consultation.Status.CLOSED,
        opens_at=closed_on - datetime.timedelta(days=30),
        closes_at=closed_on,
        **fields,
    )


# --- lab -------------------------------------------------------------------------------------


def lab_data(n: int) -> None:
    """n of each thing waiting for the lab (gate reviews: n, of which n - 1 overdue)."""
    for i in range(n):
        due = (
            today() + datetime.timedelta(days=3) if i == 0 else today() - datetime.timedelta(days=i)
        )
        GateReviewFactory(due_on=due)
        IdeaFactory()
        InitiativeFactory(status=Initiative.Status.SUBMITTED, published_at=None)
        ImpactReportFactory(status=ImpactReport.Status.READY)
        CommentFactory(status="pending")
        closed_consultation(days_ago=2 if i == 0 else 90)
    criee = CrieeFactory(title="Criée de printemps")
    PitchFactory.create_batch(n, criee=criee, status=Pitch.Status.PROPOSED, position=None)


def test_the_lab_sees_gate_reviews_ideas_initiatives_proposals_moderation_restitutions_reports(
    client, lab_staff
):
    lab_data(3)
    items = waiting_items(client, lab_staff)

    reviews = item_with(items, "revues de passage à décider")
    assert (reviews.count, reviews.urgency) == (3, "2 en retard")
    assert reviews.url == reverse("projects:dashboard")
    assert sum(entry.urgent for entry in reviews.entries) == 2
    first = reviews.entries[0]  # the most overdue first, linking to its review page
    assert "/revues/" in first.url
    assert first.urgent

    triage = item_with(items, "idées à trier")
    assert (triage.count, triage.url) == (3, reverse("ideas:triage"))
    to_validate = item_with(items, "initiatives à valider")
    assert to_validate.count == 3
    assert to_validate.url == f"{reverse('criees:index')}?statut=submitted"
    proposals = item_with(items, "Criée de printemps")
    assert proposals.count == 3
    assert proposals.url.startswith(reverse("criees:criee-list"))
    assert item_with(items, "modération").count == 3
    assert item_with(items, "modération").url == reverse("engagement:queue")
    restitutions = item_with(items, "restitutions attendues")
    assert (restitutions.count, restitutions.urgency) == (3, "2 en retard")
    assert restitutions.url == f"{reverse('ecoute:manage')}?restitution=due"
    reports = item_with(items, "rapports d’impact prêts")
    assert reports.count == 3
    assert reports.entries[0].url.startswith("/evaluation/rapports/")


def test_the_lab_home_renders_the_section_and_links(client, lab_staff):
    lab_data(1)
    GateReviewFactory(due_on=today() - datetime.timedelta(days=5))
    client.force_login(lab_staff)
    html = client.get(HOME).content.decode()
    assert "Ce qui vous attend" in html
    assert "Rien ne vous attend" not in html
    assert f'href="{reverse("ideas:triage")}"' in html
    assert "1 en retard" in html
    assert html.count("<h1") == 1


@pytest.mark.parametrize("size", [2, 12])
def test_the_lab_home_costs_a_fixed_number_of_queries(client, lab_staff, size):
    lab_data(size)
    client.force_login(lab_staff)
    assert count_queries(client, HOME) == LAB_QUERIES


LAB_QUERIES = 15  # + the incubator's applications to decide


# --- correspondent ---------------------------------------------------------------------------


def caf_data(caf: Caf, n: int) -> None:
    """n of each thing that concerns the correspondents of `caf`."""
    agent = UserFactory(role=Role.AGENT, caf=caf)
    other = Caf.objects.exclude(pk=caf.pk).first()
    for _i in range(n):
        InitiativeFactory(caf=caf, status=Initiative.Status.SUBMITTED, published_at=None)
        InterestFactory(caf=caf, declared_by=agent, level=InterestLevel.CONTACT)
        DeploymentFactory(caf=caf, status=Deployment.Status.RUNNING)
        IdeaFactory(caf=caf)
        UserFactory(role=Role.PENDING, caf=None)
    # Another Caf's project running here is measured here.
    IndicatorFactory.create_batch(
        n, project=ProjectFactory(pilot_caf=other, stage=Stage.EXPERIMENTATION)
    )
    project = ProjectFactory(pilot_caf=other, stage=Stage.ESSAIMAGE)
    Deployment.objects.create(project=project, caf=caf, status=Deployment.Status.RUNNING)
    IndicatorFactory(project=project)
    CrieeFactory(status="open")


def test_a_correspondent_sees_their_cafs_items_and_not_another_cafs(
    client, correspondent_a, correspondent_b, caf_a, caf_b
):
    caf_data(caf_a, 2)
    caf_data(caf_b, 3)
    CrieeFactory(status="open", title="Criée ouverte aux propositions d’automne")
    CrieeFactory(status="planned", title="Criée pas encore ouverte")
    # The correspondent's own confirmation is not waiting for them.
    InterestFactory(caf=caf_a, declared_by=correspondent_a, level=InterestLevel.CURIOUS)
    items = waiting_items(client, correspondent_a)

    assert item_with(items, "initiatives à valider").count == 2
    interests = item_with(items, "déclarations d’intérêt")
    assert interests.count == 2
    assert interests.url == reverse("criees:caf-dashboard", kwargs={"code": "38"})
    open_criees = item_with(items, "Criées ouvertes")
    titles = [entry.label for entry in open_criees.entries]
    assert "Criée ouverte aux propositions d’automne" in titles
    assert "Criée pas encore ouverte" not in titles
    # Its two deployments and the one of another Caf's project running here.
    assert item_with(items, "essaimages de votre Caf").count == 3
    assert all("/deploiements/" in entry.url for entry in item_with(items, "essaimages").entries)
    assert item_with(items, "idées à trier").count == 2
    measurements = item_with(items, "pour votre Caf")
    # The indicators of the project running in Caf A, not those of another Caf's pilot.
    assert measurements.count == 1
    assert item_with(items, "comptes à rattacher").url == reverse("accounts:pending-list")
    # Gate reviews and reports are the lab's.
    assert not [label for label in items if "revue" in label or "rapport" in label]


def test_a_measurement_entered_for_the_caf_is_no_longer_due(client, correspondent_a, caf_a):
    from evaluation.services.indicators import previous_period

    project = ProjectFactory(pilot_caf=caf_a, stage=Stage.EXPERIMENTATION)
    indicator = IndicatorFactory(project=project, frequency="quarterly")
    assert item_with(waiting_items(client, correspondent_a), "pour votre Caf").count == 1
    MeasurementFactory(
        indicator=indicator,
        caf=caf_a,
        period=previous_period(today(), "quarterly"),
        value=Decimal(1),
    )
    items = waiting_items(client, correspondent_a)
    assert not [label for label in items if "mesure" in label]


@pytest.mark.parametrize("size", [2, 10])
def test_the_correspondent_home_costs_a_fixed_number_of_queries(
    client, correspondent_a, caf_a, size
):
    caf_data(caf_a, size)
    client.force_login(correspondent_a)
    assert count_queries(client, HOME) == CORRESPONDENT_QUERIES


CORRESPONDENT_QUERIES = 17  # + the incubator's calls and applications


# --- moderator, directorate, partner ---------------------------------------------------------


def test_a_moderator_sees_the_moderation_queue_across_apps(client, moderator):
    CommentFactory.create_batch(2, status="pending")
    CommentFactory(status="visible")
    items = waiting_items(client, moderator)
    assert item_with(items, "modération").count == 2
    assert not [label for label in items if "idées à trier" in label]


def test_a_directorate_sees_its_sponsored_projects_and_their_reviews_only(
    client, directorate_member
):
    mine = directorate_member.directorate
    other = Directorate.objects.exclude(pk=mine.pk).first()
    sponsored = ProjectFactory.create_batch(2, sponsor=mine, stage=Stage.PROTOTYPE)
    ProjectFactory(sponsor=mine, stage=Stage.ABANDONED, lesson_learned="Trop tôt.")
    ProjectFactory(sponsor=other)
    GateReviewFactory(project=sponsored[0], due_on=today() - datetime.timedelta(days=1))
    GateReviewFactory(project=ProjectFactory(sponsor=other))
    items = waiting_items(client, directorate_member)
    projects = item_with(items, "parrainés par votre direction")
    assert projects.count == 2
    assert projects.url == f"{reverse('projects:index')}?sponsor={mine.acronym}"
    reviews = item_with(items, "revue de passage à venir")
    assert (reviews.count, reviews.urgency) == (1, "1 en retard")


def test_a_partner_sees_the_incubated_projects_they_work_on(client, partner, partner_org):
    theirs = ProjectFactory(track=Track.LOCAL_INCUBATOR, title="Jardin partagé")
    theirs.partners.add(partner_org)
    ProjectFactory(track=Track.LOCAL_INCUBATOR, title="Autre incubé")
    ProjectFactory(
        track=Track.LOCAL_INCUBATOR, stage=Stage.ABANDONED, lesson_learned="Trop tôt."
    ).partners.add(partner_org)
    items = waiting_items(client, partner)
    incubated = item_with(items, "projet incubé")
    assert incubated.count == 1
    assert [entry.label for entry in incubated.entries] == [f"{theirs.code} – Jardin partagé"]


# --- agent, citizen --------------------------------------------------------------------------


def test_an_agent_sees_what_became_of_their_ideas_and_initiatives(
    client, agent_a, agent_b, lab_staff, correspondent_a
):
    idea = IdeaFactory(author=agent_a, title="Courriers lisibles", status=Idea.Status.UNDER_REVIEW)
    IdeaStatusChange.objects.create(
        idea=idea,
        from_status="submitted",
        to_status="under_review",
        reason="Vu",
        changed_by=lab_staff,
    )
    someone_elses = IdeaFactory(author=agent_b, title="Pas la mienne")
    IdeaStatusChange.objects.create(
        idea=someone_elses,
        from_status="submitted",
        to_status="declined",
        reason="Non",
        changed_by=lab_staff,
    )
    initiative = InitiativeFactory(created_by=agent_a, title="Accueil sans attente")
    InitiativeStatusChange.objects.create(
        initiative=initiative,
        from_status="submitted",
        to_status="published",
        changed_by=correspondent_a,
    )
    items = waiting_items(client, agent_a)
    ideas = item_with(items, "vos idées")
    assert [entry.label for entry in ideas.entries] == [
        "«\u00a0Courriers lisibles\u00a0»\u00a0: En cours d’examen"
    ]
    assert ideas.entries[0].url == reverse("ideas:idea-detail", kwargs={"pk": idea.pk})
    initiatives = item_with(items, "vos initiatives")
    assert initiatives.entries[0].label == "«\u00a0Accueil sans attente\u00a0»\u00a0: Publiée"


def test_a_citizen_sees_answers_open_consultations_and_registrations(client, citizen, lab_staff):
    consultation = ConsultationFactory(title="Votre accueil")
    ConsultationFactory(title="Réservée aux agents", audience=Consultation.Audience.AGENTS)
    mine = ContributionFactory(consultation=consultation, author=citizen, title="Le soir")
    OfficialAnswer.objects.create(
        contribution=mine,
        status="under_study",
        text="Nous étudions.",
        answered_by=lab_staff,
        created_at=timezone.now() - datetime.timedelta(days=3),
    )
    mine_too = ContributionFactory(consultation=consultation, author=citizen, title="Le samedi")
    OfficialAnswer.objects.create(
        contribution=mine_too,
        status="under_study",
        text="À l’étude.",
        answered_by=lab_staff,
        created_at=timezone.now() - datetime.timedelta(days=2),
    )
    # Its latest answer only, the latest answered first.
    OfficialAnswer.objects.create(
        contribution=mine, status="adopted", text="Retenue.", answered_by=lab_staff
    )
    other = ContributionFactory(consultation=consultation, title="Pas la sienne")
    OfficialAnswer.objects.create(
        contribution=other, status="adopted", text="Retenue.", answered_by=lab_staff
    )
    event = EventFactory(title="Atelier des parents", audience="public")
    RegistrationFactory(event=event, user=citizen)
    items = waiting_items(client, citizen)
    answers = item_with(items, "réponses à vos contributions")
    assert [entry.label for entry in answers.entries] == [
        "«\u00a0Le soir\u00a0»\u00a0: Retenue",
        "«\u00a0Le samedi\u00a0»\u00a0: À l’étude",
    ]
    open_ones = item_with(items, "Consultations ouvertes")
    assert [entry.label for entry in open_ones.entries] == ["Votre accueil"]
    assert open_ones.entries[0].url == consultation.get_absolute_url()
    registrations = item_with(items, "inscriptions")
    assert registrations.entries[0].label == "Atelier des parents"
    assert registrations.url == reverse("events:mine")
    assert not [label for label in items if "idées" in label or "initiatives" in label]


@pytest.mark.parametrize("size", [1, 8])
def test_the_citizen_home_costs_a_fixed_number_of_queries(client, citizen, lab_staff, size):
    for i in range(size):
        consultation = ConsultationFactory()
        contribution = ContributionFactory(consultation=consultation, author=citizen)
        OfficialAnswer.objects.create(
            contribution=contribution,
            status="under_study",
            text=f"Réponse {i}",
            answered_by=lab_staff,
        )
        RegistrationFactory(event=EventFactory(audience="public"), user=citizen)
    client.force_login(citizen)
    assert count_queries(client, HOME) == CITIZEN_QUERIES


CITIZEN_QUERIES = 6


@pytest.mark.parametrize("size", [1, 8])
def test_the_agent_home_costs_a_fixed_number_of_queries(client, agent_a, lab_staff, size):
    for _i in range(size):
        idea = IdeaFactory(author=agent_a)
        IdeaStatusChange.objects.create(
            idea=idea,
            from_status="submitted",
            to_status="under_review",
            reason="Vu",
            changed_by=lab_staff,
        )
        ConsultationFactory(audience=Consultation.Audience.AGENTS)
    client.force_login(agent_a)
    assert count_queries(client, HOME) == AGENT_QUERIES


AGENT_QUERIES = 9  # + the incubator's calls and applications


@pytest.mark.parametrize("size", [1, 8])
def test_the_directorate_home_costs_a_fixed_number_of_queries(client, directorate_member, size):
    for _i in range(size):
        project = ProjectFactory(sponsor=directorate_member.directorate, stage=Stage.PROTOTYPE)
        GateReviewFactory(project=project)
    client.force_login(directorate_member)
    assert count_queries(client, HOME) == DIRECTORATE_QUERIES


DIRECTORATE_QUERIES = 13  # + the incubator's calls and applications


def test_nothing_waiting_says_so(client, agent_b):
    client.force_login(agent_b)
    response = client.get(HOME)
    assert response.context["waiting"] == []
    assert "Rien ne vous attend aujourd’hui." in response.content.decode()


def test_anonymous_visitors_get_no_waiting_section(client):
    response = client.get(HOME)
    assert response.context["waiting"] is None
    assert "Ce qui vous attend" not in response.content.decode()


# --- the cards: the directorate's home promises only what it can do -------------------------


@pytest.mark.parametrize("persona", ["lab_staff", "directorate_member"])
def test_the_lab_and_the_directorate_have_one_card_to_the_cockpit(client, persona, request):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(HOME)
    cards = [
        point
        for point in response.context["entry_points"]
        if point.url == reverse("projects:dashboard")
    ]
    assert [point.title for point in cards] == ["Cockpit de l’innovation"]


def test_the_directorate_cards_promise_no_decision_it_cannot_take(client, directorate_member):
    client.force_login(directorate_member)
    html = client.get(HOME).content.decode()
    assert "prendre vos décisions" not in html
    assert "Cockpit de l’innovation" in html


def test_agents_and_citizens_have_no_cockpit_card(client, agent_a, citizen):
    for user in (agent_a, citizen):
        client.force_login(user)
        assert "Cockpit de l’innovation" not in client.get(HOME).content.decode()
