"""Lineage (issue 13): a citizen's contribution or a criée initiative becomes an idea, the idea a
project; the source shows what it became, the project lists the source among its origins,
and the source's people are told at each step."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from caflab.core.errors import AlreadyDone
from caflab.notifications.models import Notification
from ecoute.models import Consultation, Contribution
from ecoute.services import contributions as contribution_services
from ideas.models import Idea
from ideas.services import lineage
from ideas.services.ideas import idea_move
from projects.models import GateReview, ProjectOrigin, Stage
from projects.services.gates import gate_decide
from tests.criees.factories import InitiativeFactory
from tests.ecoute.factories import ConsultationFactory, ContributionFactory
from tests.projects.factories import GateReviewFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def contribution(lab_staff, citizen, caf_a):
    call = ConsultationFactory(
        title="Vos idées pour l'accueil",
        slug="idees-accueil",
        owner=lab_staff,
        collects_contributions=True,
        moderation_mode=Consultation.ModerationMode.AFTER,
    )
    return ContributionFactory(
        consultation=call, author=citizen, title="Un rendez-vous le soir", caf=caf_a
    )


def from_origin_url(source) -> str:
    return reverse(
        "ideas:idea-from-origin", kwargs={"model": source._meta.label_lower, "pk": source.pk}
    )


def test_the_lab_turns_a_contribution_into_an_idea_and_its_people_are_told(
    client, lab_staff, contribution, citizen, agent_a
):
    contribution_services.support_add(contribution=contribution, by=agent_a)
    client.force_login(lab_staff)
    response = client.post(from_origin_url(contribution))
    idea = Idea.objects.get()
    assert response.url == idea.get_absolute_url()
    assert (idea.origin, idea.source, idea.title, idea.caf) == (
        contribution,
        Idea.Source.CONSULTATION,
        "Un rendez-vous le soir",
        contribution.caf,
    )
    assert idea.status_changes.get().to_status == Idea.Status.SUBMITTED
    told = Notification.objects.filter(kind="origin.idea")
    assert set(told.values_list("recipient", flat=True)) == {citizen.pk, agent_a.pk}
    assert told.get(recipient=citizen).url == contribution.get_absolute_url()


def test_a_source_becomes_one_idea_only(client, lab_staff, contribution):
    lineage.idea_from_origin(source=contribution, by=lab_staff)
    with pytest.raises(AlreadyDone):
        lineage.idea_from_origin(source=contribution, by=lab_staff)
    client.force_login(lab_staff)
    response = client.post(from_origin_url(contribution), follow=True)
    assert "déjà devenu une idée" in response.content.decode()
    assert Idea.objects.count() == 1


def test_only_the_lab_and_the_correspondent_of_its_caf_turn_a_source_into_an_idea(
    client, contribution, agent_a, correspondent_a, correspondent_b
):
    for user in (agent_a, correspondent_b):
        client.force_login(user)
        assert client.post(from_origin_url(contribution)).status_code == 403
    client.force_login(correspondent_a)
    assert client.post(from_origin_url(contribution)).status_code == 302
    assert Idea.objects.get().author == correspondent_a


def test_an_unknown_kind_or_an_unseen_source_is_404(client, lab_staff, citizen, contribution):
    client.force_login(lab_staff)
    url = reverse("ideas:idea-from-origin", kwargs={"model": "accounts.user", "pk": citizen.pk})
    assert client.post(url).status_code == 404
    contribution.status = contribution.Status.PENDING
    contribution.save()
    client.force_login(citizen)  # the author sees their pending contribution: may not convert
    assert client.post(from_origin_url(contribution)).status_code == 403
    assert not Idea.objects.exists()


def test_the_source_page_offers_the_button_then_shows_what_it_became(
    client, lab_staff, citizen, contribution
):
    page = contribution.get_absolute_url()
    client.force_login(lab_staff)
    assert from_origin_url(contribution) in client.get(page).content.decode()
    client.force_login(citizen)
    html = client.get(page).content.decode()
    assert from_origin_url(contribution) not in html
    assert "Ce qu'elle est devenue" not in html

    idea = lineage.idea_from_origin(source=contribution, by=lab_staff)
    html = client.get(page).content.decode()
    assert "Devenue l'idée « Un rendez-vous le soir »" in html
    assert idea.get_absolute_url() not in html  # a citizen does not open the idea box
    client.force_login(lab_staff)
    assert idea.get_absolute_url() in client.get(page).content.decode()


def test_the_project_lists_the_source_and_its_people_hear_of_each_stage(
    client, lab_staff, citizen, contribution
):
    idea = lineage.idea_from_origin(source=contribution, by=lab_staff)
    Notification.objects.all().delete()
    idea_move(idea=idea, by=lab_staff, to_status=Idea.Status.ACCEPTED, reason="Retenue.")
    idea.refresh_from_db()
    project = idea.project
    assert ProjectOrigin.objects.filter(
        project=project,
        content_type=ContentType.objects.get_for_model(contribution),
        object_id=contribution.pk,
    ).exists()
    told = Notification.objects.get(kind="origin.idea_status", recipient=citizen)
    assert project.title in told.title

    client.force_login(citizen)
    html = client.get(contribution.get_absolute_url()).content.decode()
    assert f"Puis le projet « {project.title} », à l'étape « Idée »" in html

    review = GateReviewFactory(project=project, from_stage=Stage.IDEA, to_stage=Stage.CREATIVITY)
    gate_decide(review=review, by=lab_staff, decision=GateReview.Decision.GO, rationale="Go")
    moved = Notification.objects.get(kind="ecoute.project_stage", recipient=citizen)
    assert "Séance de créativité" in moved.title

    client.force_login(lab_staff)
    assert (
        contribution.get_absolute_url() in client.get(project.get_absolute_url()).content.decode()
    )


def test_the_correspondent_turns_an_initiative_of_their_caf_into_an_idea(
    client, correspondent_a, correspondent_b
):
    initiative = InitiativeFactory()
    client.force_login(correspondent_b)
    assert client.post(from_origin_url(initiative)).status_code == 403
    client.force_login(correspondent_a)
    assert from_origin_url(initiative) in client.get(initiative.get_absolute_url()).content.decode()
    client.post(from_origin_url(initiative))
    idea = Idea.objects.get()
    assert (idea.origin, idea.source) == (initiative, Idea.Source.CRIEE)
    assert initiative.problem in idea.problem


def test_the_source_page_pays_two_queries_for_what_it_became_whatever_the_ideas(
    client, lab_staff, citizen, contribution
):
    from tests.ideas.factories import IdeaFactory
    from tests.projects.factories import ProjectFactory
    from tests.queries import assert_flat_query_count

    lineage.idea_from_origin(source=contribution, by=lab_staff)
    client.force_login(citizen)

    def more(n: int) -> None:
        IdeaFactory.create_batch(n, source=Idea.Source.CONSULTATION)
        for _i in range(n):
            lineage.origin_attach(source=contribution, project=ProjectFactory(), by=lab_staff)

    # The contribution's page cost 12 before; the panel adds two queries (the idea and its
    # project, joined; the projects it was attached to).
    assert_flat_query_count(client, contribution.get_absolute_url(), more, expected=14)


def test_the_lab_attaches_a_source_to_an_existing_project_its_people_are_told(
    client, lab_staff, citizen, contribution
):
    from tests.projects.factories import ProjectFactory

    project = ProjectFactory(title="Accueil du soir")
    attach = reverse(
        "ideas:origin-attach", kwargs={"model": "ecoute.contribution", "pk": contribution.pk}
    )
    client.force_login(lab_staff)
    page = client.get(contribution.get_absolute_url()).content.decode()
    assert attach in page

    response = client.post(attach, {"project": "INNO-9999-999"}, follow=True)
    assert "Aucun projet que vous pouvez voir ne porte le code « INNO-9999-999 »" in (
        response.content.decode()
    )
    assert not ProjectOrigin.objects.exists()

    client.post(attach, {"project": project.code.lower()})
    assert ProjectOrigin.objects.get().source == contribution
    told = Notification.objects.get(kind="origin.project", recipient=citizen)
    assert "Accueil du soir" in told.title
    response = client.post(attach, {"project": project.code}, follow=True)
    assert "déjà rattaché à ce projet" in response.content.decode()

    client.force_login(citizen)
    html = client.get(contribution.get_absolute_url()).content.decode()
    assert "Rattachée au projet « Accueil du soir »" in html
    assert attach not in html  # a citizen attaches nothing
    assert client.post(attach, {"project": project.code}).status_code == 403
    # The project lists it among its origins.
    client.force_login(lab_staff)
    assert (
        contribution.get_absolute_url() in client.get(project.get_absolute_url()).content.decode()
    )


def test_a_draft_project_of_others_cannot_be_attached_to(
    client, correspondent_a, contribution, lab_staff
):
    from tests.projects.factories import ProjectFactory

    draft = ProjectFactory(is_draft=True, lead=lab_staff)
    client.force_login(correspondent_a)  # the contribution is of Caf A: theirs to convert
    attach = reverse(
        "ideas:origin-attach", kwargs={"model": "ecoute.contribution", "pk": contribution.pk}
    )
    client.post(attach, {"project": draft.code})
    assert not ProjectOrigin.objects.exists()


def test_a_declined_idea_is_told_to_the_people_of_its_source_with_the_reason(
    lab_staff, citizen, contribution
):
    idea = lineage.idea_from_origin(source=contribution, by=lab_staff)
    Notification.objects.all().delete()
    idea_move(idea=idea, by=lab_staff, to_status=Idea.Status.DECLINED, reason="Déjà en place.")
    told = Notification.objects.get(kind="origin.idea_status", recipient=citizen)
    assert "Un rendez-vous le soir" in told.title
    assert "Déjà en place." in told.body
    assert told.url == contribution.get_absolute_url()


def test_the_idea_page_says_what_it_was_born_of_with_a_link_for_who_may_open_it(
    client, lab_staff, agent_b, contribution
):
    idea = lineage.idea_from_origin(source=contribution, by=lab_staff)
    client.force_login(lab_staff)
    html = client.get(idea.get_absolute_url()).content.decode()
    assert "Née d’un contenu de type « contribution »" in html
    assert f'<a href="{contribution.get_absolute_url()}">{contribution.title}</a>' in html

    # Withdrawn from publication: the idea still says where it came from, without a link for
    # those who no longer see it.
    Contribution.objects.filter(pk=contribution.pk).update(status=Contribution.Status.HIDDEN)
    client.force_login(agent_b)
    html = client.get(idea.get_absolute_url()).content.decode()
    assert contribution.title in html
    assert f'href="{contribution.get_absolute_url()}"' not in html


def test_the_people_of_an_initiative_hear_of_each_stage_of_the_project_it_feeds(
    lab_staff, agent_a, citizen, contribution
):
    initiative = InitiativeFactory(created_by=agent_a)
    idea = lineage.idea_from_origin(source=initiative, by=lab_staff)
    idea_move(idea=idea, by=lab_staff, to_status=Idea.Status.ACCEPTED, reason="Retenue.")
    idea.refresh_from_db()
    project = idea.project
    lineage.origin_attach(source=contribution, project=project, by=lab_staff)
    team = set(lineage_kind_participants(initiative))
    assert team  # its author leads its team
    Notification.objects.all().delete()

    review = GateReviewFactory(project=project, from_stage=Stage.IDEA, to_stage=Stage.CREATIVITY)
    gate_decide(review=review, by=lab_staff, decision=GateReview.Decision.GO, rationale="Go")
    moved = Notification.objects.filter(kind="origin.project_stage")
    assert set(moved.values_list("recipient", flat=True)) == {u.pk for u in team}
    assert "Séance de créativité" in moved.first().title
    assert moved.first().url == initiative.get_absolute_url()
    # The contribution's people hear it once, from écoute.
    assert Notification.objects.filter(recipient=citizen).count() == 1
    assert Notification.objects.get(recipient=citizen).kind == "ecoute.project_stage"


def lineage_kind_participants(source):
    from projects.origins import kind_for

    return kind_for(source).participants(source)
