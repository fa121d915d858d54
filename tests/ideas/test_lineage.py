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
    assert "Suite donnée" not in html

    idea = lineage.idea_from_origin(source=contribution, by=lab_staff)
    html = client.get(page).content.decode()
    assert "A donné l’idée «\u00a0Un rendez-vous le soir\u00a0»" in html
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
    assert f"Puis le projet «\u00a0{project.title}\u00a0», à l’étape «\u00a0Idée\u00a0»" in html

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

    # The contribution's page cost 12 before; the panel adds three queries (the idea and its
    # project, joined; the projects it was attached to; whether the reader, if one of its
    # other participants, hears of what follows).
    assert_flat_query_count(client, contribution.get_absolute_url(), more, expected=15)


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
    assert "Aucun projet que vous pouvez voir ne porte le code «\u00a0INNO-9999-999\u00a0»" in (
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
    assert "A rejoint le projet «\u00a0Accueil du soir\u00a0»" in html
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
    assert "Née d’un contenu de type «\u00a0contribution\u00a0»" in html
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


# --- authors always told, other participants in their preference, and free to stop ----------


def follow_url(source) -> str:
    return reverse(
        "ideas:origin-follow", kwargs={"model": source._meta.label_lower, "pk": source.pk}
    )


def test_an_initiative_s_team_is_told_as_its_own_work_its_supporters_as_they_prefer(
    lab_staff, agent_a, agent_b
):
    from caflab.accounts.models import EmailFrequency
    from criees.services import support_add

    agent_b.email_frequency = EmailFrequency.WEEKLY
    agent_b.save(update_fields=["email_frequency"])
    initiative = InitiativeFactory(created_by=agent_a)
    support_add(initiative=initiative, by=agent_b)
    lineage.idea_from_origin(source=initiative, by=lab_staff)
    told = {n.recipient_id: n for n in Notification.objects.filter(kind="origin.idea")}
    assert set(told) == {agent_a.pk, agent_b.pk}
    assert told[agent_a.pk].is_own_contribution
    assert told[agent_a.pk].email_delivery == Notification.Delivery.IMMEDIATE
    assert not told[agent_b.pk].is_own_contribution
    assert told[agent_b.pk].email_delivery == Notification.Delivery.DIGEST


def test_a_supporter_stops_following_from_the_source_page_and_hears_no_more(
    client, lab_staff, agent_a, agent_b
):
    from criees.services import support_add

    initiative = InitiativeFactory(created_by=agent_a)
    support_add(initiative=initiative, by=agent_b)
    idea = lineage.idea_from_origin(source=initiative, by=lab_staff)
    client.force_login(agent_b)
    page = client.get(initiative.get_absolute_url()).content.decode()
    assert follow_url(initiative) in page
    assert "Ne plus suivre la suite donnée" in page

    response = client.post(follow_url(initiative), {"action": "stop"}, follow=True)
    assert "Vous ne recevrez plus de nouvelles" in response.content.decode()
    assert "Être de nouveau informé" in response.content.decode()
    response = client.post(follow_url(initiative), {"action": "stop"}, follow=True)
    assert "Vous ne suivez déjà plus" in response.content.decode()

    Notification.objects.all().delete()
    idea_move(idea=idea, by=lab_staff, to_status=Idea.Status.DECLINED, reason="Déjà en place.")
    told = Notification.objects.filter(kind="origin.idea_status")
    assert set(told.values_list("recipient", flat=True)) == {agent_a.pk}

    client.post(follow_url(initiative), {"action": "resume"})
    lineage.origin_tell(idea, by=lab_staff, body="Nouvelles.")
    assert Notification.objects.filter(kind="origin.idea_status", recipient=agent_b).exists()


def test_authors_have_nothing_to_stop_and_strangers_may_not_post(
    client, lab_staff, agent_a, agent_b
):
    initiative = InitiativeFactory(created_by=agent_a)
    lineage.idea_from_origin(source=initiative, by=lab_staff)
    client.force_login(agent_a)  # its team: always told, no button
    assert follow_url(initiative) not in client.get(initiative.get_absolute_url()).content.decode()
    assert client.post(follow_url(initiative), {"action": "stop"}).status_code == 403
    client.force_login(agent_b)  # took no part
    assert client.post(follow_url(initiative), {"action": "stop"}).status_code == 403
    url = reverse("ideas:origin-follow", kwargs={"model": "accounts.user", "pk": agent_a.pk})
    assert client.post(url).status_code == 404
    assert client.get(follow_url(initiative)).status_code == 405


def test_a_contribution_supporter_who_stopped_does_not_hear_of_the_project_s_stages(
    client, lab_staff, citizen, agent_a, contribution
):
    contribution_services.support_add(contribution=contribution, by=agent_a)
    idea = lineage.idea_from_origin(source=contribution, by=lab_staff)
    idea_move(idea=idea, by=lab_staff, to_status=Idea.Status.ACCEPTED, reason="Retenue.")
    idea.refresh_from_db()
    client.force_login(agent_a)
    client.post(follow_url(contribution), {"action": "stop"})
    Notification.objects.all().delete()
    review = GateReviewFactory(
        project=idea.project, from_stage=Stage.IDEA, to_stage=Stage.CREATIVITY
    )
    gate_decide(review=review, by=lab_staff, decision=GateReview.Decision.GO, rationale="Go")
    told = Notification.objects.filter(kind="ecoute.project_stage")
    assert set(told.values_list("recipient", flat=True)) == {citizen.pk}


# --- a comment on an initiative as a source ---------------------------------------------------


def test_the_lab_turns_an_initiative_comment_into_an_idea_from_the_comment_s_page(
    client, lab_staff, agent_a, agent_b, correspondent_b
):
    from tests.criees.factories import CommentFactory

    initiative = InitiativeFactory(created_by=agent_a, title="Accueil sans rendez-vous")
    comment = CommentFactory(
        initiative=initiative, author=agent_b, text="Et si on l'ouvrait aussi le samedi ?"
    )
    client.force_login(lab_staff)
    thread = client.get(initiative.get_absolute_url()).content.decode()
    assert comment.get_absolute_url() in thread  # "Donner suite", on each shown comment
    page = client.get(comment.get_absolute_url()).content.decode()
    assert from_origin_url(comment) in page
    client.force_login(correspondent_b)  # another Caf's correspondent: no button, refused
    assert from_origin_url(comment) not in client.get(comment.get_absolute_url()).content.decode()
    assert (
        comment.get_absolute_url() not in client.get(initiative.get_absolute_url()).content.decode()
    )
    assert client.post(from_origin_url(comment)).status_code == 403

    client.force_login(lab_staff)
    client.post(from_origin_url(comment))
    idea = Idea.objects.get()
    assert (idea.origin, idea.source, idea.caf) == (comment, Idea.Source.CRIEE, initiative.caf)
    assert "Et si on l'ouvrait aussi le samedi ?" in idea.problem
    assert "Accueil sans rendez-vous" in idea.problem
    told = Notification.objects.get(kind="origin.idea")
    assert (told.recipient, told.is_own_contribution) == (agent_b, True)
    assert told.url == comment.get_absolute_url()
    client.force_login(agent_b)
    assert "A donné l’idée" in client.get(comment.get_absolute_url()).content.decode()


def test_a_hidden_comment_has_no_page_and_is_no_source(client, lab_staff, agent_a):
    from criees.models import Comment
    from tests.criees.factories import CommentFactory

    comment = CommentFactory(initiative=InitiativeFactory(created_by=agent_a))
    Comment.objects.filter(pk=comment.pk).update(status=Comment.Status.HIDDEN)
    client.force_login(lab_staff)
    assert client.get(comment.get_absolute_url()).status_code == 404
    assert client.post(from_origin_url(comment)).status_code == 404
    assert not Idea.objects.exists()


def test_a_comment_of_an_initiative_the_user_does_not_see_is_404(client, agent_a, agent_b):
    from tests.criees.factories import CommentFactory

    draft = InitiativeFactory(created_by=agent_a, status="draft")
    comment = CommentFactory(initiative=draft, author=agent_a)
    client.force_login(agent_b)  # another Caf: does not see Caf A's draft
    assert client.get(comment.get_absolute_url()).status_code == 404


def test_a_comment_s_page_costs_the_same_whatever_the_thread(client, lab_staff, agent_a):
    from tests.criees.factories import CommentFactory
    from tests.queries import assert_flat_query_count

    initiative = InitiativeFactory(created_by=agent_a)
    comment = CommentFactory(initiative=initiative, author=agent_a)
    lineage.idea_from_origin(source=comment, by=lab_staff)
    client.force_login(lab_staff)

    def more(n: int) -> None:
        CommentFactory.create_batch(n, initiative=initiative)

    # The page and its origin panel (the idea and its project, the projects it joined): the same
    # whatever the number of other comments on the initiative.
    assert_flat_query_count(client, comment.get_absolute_url(), more, expected=8)
