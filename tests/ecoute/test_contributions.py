"""Contribution flows: submitting under each moderation mode, supports (one per person),
reports hiding after N, bulk moderation with a message to authors, official answers moving
forward only, and a project's stage changes told to authors and supporters."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from caflab.network.models import Theme
from caflab.notifications.models import Notification
from ecoute.models import (
    AnswerStatus,
    Consultation,
    Contribution,
    ContributionComment,
    ContributionSupport,
    OfficialAnswer,
)
from ecoute.services import AlreadyDone
from ecoute.services import contributions as services
from projects.models import GateReview, Stage
from projects.services.gates import gate_decide
from tests.accounts.factories import UserFactory
from tests.ecoute.factories import ConsultationFactory, ContributionFactory
from tests.projects.factories import GateReviewFactory, ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def call(lab_staff):
    """An open public call for ideas, moderated before publication."""
    return ConsultationFactory(
        title="Vos idées pour l'accueil",
        slug="idees-accueil",
        owner=lab_staff,
        collects_contributions=True,
        moderation_mode=Consultation.ModerationMode.BEFORE,
    )


@pytest.fixture
def post_call(lab_staff):
    return ConsultationFactory(
        slug="temoignages",
        owner=lab_staff,
        collects_contributions=True,
        contribution_kind=Consultation.ContributionKind.TESTIMONIES,
        moderation_mode=Consultation.ModerationMode.AFTER,
    )


@pytest.fixture
def theme(db):
    return Theme.objects.first()


@pytest.fixture
def published(call, citizen):
    return ContributionFactory(consultation=call, author=citizen, title="Visio le soir")


def submit(consultation, by, theme, **kwargs):
    return services.contribution_submit(
        consultation=consultation,
        by=by,
        title=kwargs.pop("title", "Un guichet le samedi"),
        text=kwargs.pop("text", "Ouvrir le samedi matin."),
        theme=theme,
        **kwargs,
    )


def kinds_for(user):
    return list(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


# --- submitting ----------------------------------------------------------------------------


def test_premoderated_contribution_waits_and_is_hidden_until_published(
    call, citizen, agent_b, lab_staff, theme, client
):
    contribution = submit(call, citizen, theme)
    assert contribution.status == Contribution.Status.PENDING
    assert "ecoute.contribution_pending" in kinds_for(lab_staff)
    assert not Contribution.objects.visible_to(agent_b).filter(pk=contribution.pk).exists()
    assert Contribution.objects.visible_to(citizen).filter(pk=contribution.pk).exists()
    client.force_login(agent_b)
    assert client.get(contribution.get_absolute_url()).status_code == 404

    services.contributions_moderate(contributions=[contribution], by=lab_staff, action="publish")
    contribution.refresh_from_db()
    assert contribution.is_published
    assert contribution.published_at
    assert client.get(contribution.get_absolute_url()).status_code == 200


def test_postmoderated_contribution_is_published_at_once(post_call, citizen, theme, client):
    contribution = submit(post_call, citizen, theme)
    assert contribution.status == Contribution.Status.PUBLISHED
    assert client.get(contribution.get_absolute_url()).status_code == 200  # anonymous reads


def test_a_closed_consultation_or_one_without_contributions_refuses(call, citizen, theme):
    call.close()
    with pytest.raises(ValidationError):
        submit(call, citizen, theme)
    plain = ConsultationFactory(slug="questionnaire-seul")
    with pytest.raises(ValidationError):
        submit(plain, citizen, theme)


# --- supports ------------------------------------------------------------------------------


def test_one_support_per_person_is_a_database_constraint(published, agent_a):
    ContributionSupport.objects.create(contribution=published, user=agent_a)
    with pytest.raises(IntegrityError), transaction.atomic():
        ContributionSupport.objects.create(contribution=published, user=agent_a)


def test_supporting_twice_is_already_done_not_an_error(published, agent_a):
    services.support_add(contribution=published, by=agent_a)
    with pytest.raises(AlreadyDone, match="déjà"):
        services.support_add(contribution=published, by=agent_a)
    assert ContributionSupport.objects.filter(contribution=published).count() == 1


def test_an_unpublished_contribution_cannot_be_supported(call, citizen, agent_a, theme):
    pending = submit(call, citizen, theme)
    with pytest.raises(ValidationError):
        services.support_add(contribution=pending, by=agent_a)


# --- reports -------------------------------------------------------------------------------


def test_hidden_after_n_reports_pending_review_and_managers_told_once(
    published, lab_staff, settings
):
    settings.ENGAGEMENT_REPORTS_TO_HIDE = 3
    reporters = [UserFactory(citizen=True) for _ in range(4)]
    for reporter in reporters[:2]:
        services.contribution_report(contribution=published, by=reporter, reason="Hors sujet")
    published.refresh_from_db()
    assert published.status == Contribution.Status.PUBLISHED
    services.contribution_report(contribution=published, by=reporters[2])
    published.refresh_from_db()
    assert published.status == Contribution.Status.REPORTED
    services.contribution_report(contribution=published, by=reporters[3])
    assert kinds_for(lab_staff).count("ecoute.contribution_reported") == 1
    assert not Contribution.objects.visible_to(reporters[0]).filter(pk=published.pk).exists()


def test_reporting_twice_is_already_done(published, agent_a):
    services.contribution_report(contribution=published, by=agent_a)
    with pytest.raises(AlreadyDone):
        services.contribution_report(contribution=published, by=agent_a)


def test_the_threshold_is_a_setting(published, settings):
    settings.ENGAGEMENT_REPORTS_TO_HIDE = 1
    services.contribution_report(contribution=published, by=UserFactory(citizen=True))
    published.refresh_from_db()
    assert published.status == Contribution.Status.REPORTED


def test_restored_contribution_counts_only_new_reports(published, lab_staff, settings):
    settings.ENGAGEMENT_REPORTS_TO_HIDE = 2
    for _ in range(2):
        services.contribution_report(contribution=published, by=UserFactory(citizen=True))
    services.contributions_moderate(contributions=[published], by=lab_staff, action="restore")
    published.refresh_from_db()
    assert published.is_published
    services.contribution_report(contribution=published, by=UserFactory(citizen=True))
    published.refresh_from_db()
    assert published.is_published


# --- bulk moderation -----------------------------------------------------------------------


def test_bulk_actions_apply_where_they_can_and_authors_get_the_message(
    call, lab_staff, theme, mailoutbox, django_capture_on_commit_callbacks
):
    authors = [UserFactory(citizen=True, email=f"auteur{i}@example.org") for i in range(3)]
    pending = [submit(call, author, theme, title=f"Idée {i}") for i, author in enumerate(authors)]
    already = ContributionFactory(consultation=call)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        result = services.contributions_moderate(
            contributions=[*pending[:2], already],
            by=lab_staff,
            action="publish",
            message="Merci, votre idée est en ligne.",
        )
    assert len(result.done) == 2
    assert result.skipped == 1
    for author in authors[:2]:
        notification = Notification.objects.get(
            recipient=author, kind="ecoute.contribution_publish"
        )
        assert notification.body == "Merci, votre idée est en ligne."
    assert not Notification.objects.filter(
        recipient=authors[2], kind="ecoute.contribution_publish"
    ).exists()
    assert sorted(m.to[0] for m in mailoutbox) == ["auteur0@example.org", "auteur1@example.org"]
    assert "Merci, votre idée est en ligne." in mailoutbox[0].body

    result = services.contributions_moderate(
        contributions=pending[:2], by=lab_staff, action="hide", message="Hors charte."
    )
    assert len(result.done) == 2
    result = services.contributions_moderate(contributions=pending, by=lab_staff, action="reject")
    assert len(result.done) == 3  # the two hidden and the one still pending
    assert set(
        Contribution.objects.filter(pk__in=[c.pk for c in pending]).values_list("status", flat=True)
    ) == {Contribution.Status.REJECTED}


def test_unknown_action_is_refused(published, lab_staff):
    with pytest.raises(ValidationError):
        services.contributions_moderate(contributions=[published], by=lab_staff, action="eat")


# --- comments ------------------------------------------------------------------------------


def test_comments_thread_and_wait_for_moderation_on_a_premoderated_call(
    published, agent_a, agent_b, lab_staff, citizen
):
    comment = services.comment_add(contribution=published, by=agent_a, text="Bonne idée")
    assert comment.status == ContributionComment.Status.PENDING
    assert "ecoute.comment_added" not in kinds_for(citizen)
    comment = services.comment_moderate(comment=comment, by=lab_staff, action="publish")
    assert "ecoute.comment_added" in kinds_for(citizen)
    reply = services.comment_add(
        contribution=published, by=agent_b, text="D'accord", parent=comment
    )
    assert reply.parent_id == comment.pk
    with pytest.raises(ValidationError):  # a reply waiting for moderation is not answered yet
        services.comment_add(contribution=published, by=citizen, text="Merci", parent=reply)
    reply = services.comment_moderate(comment=reply, by=lab_staff, action="publish")
    assert "ecoute.comment_added" in kinds_for(agent_a)  # the replied-to author
    reply_to_reply = services.comment_add(
        contribution=published, by=citizen, text="Merci", parent=reply
    )
    assert reply_to_reply.parent_id == comment.pk  # two levels: attached to the thread's root
    with pytest.raises(AlreadyDone):
        services.comment_moderate(comment=reply, by=lab_staff, action="publish")


def test_a_reported_comment_is_hidden_after_n_reports(post_call, citizen, settings):
    settings.ENGAGEMENT_REPORTS_TO_HIDE = 2
    contribution = ContributionFactory(consultation=post_call, author=citizen)
    comment = services.comment_add(contribution=contribution, by=citizen, text="Texte")
    assert comment.is_visible
    for _ in range(2):
        services.comment_report(comment=comment, by=UserFactory(citizen=True))
    comment.refresh_from_db()
    assert comment.status == ContributionComment.Status.REPORTED


# --- official answer -----------------------------------------------------------------------


def test_official_answer_moves_forward_and_tells_author_and_supporters(
    published, lab_staff, agent_a, agent_b, citizen
):
    services.support_add(contribution=published, by=agent_a)
    services.official_answer_give(
        contribution=published, by=lab_staff, status=AnswerStatus.UNDER_STUDY, text="On regarde."
    )
    published.refresh_from_db()
    assert published.answer_status == AnswerStatus.UNDER_STUDY
    assert "ecoute.official_answer" in kinds_for(citizen)
    assert Notification.objects.get(
        recipient=citizen, kind="ecoute.official_answer"
    ).is_own_contribution
    assert "ecoute.official_answer" in kinds_for(agent_a)
    assert "ecoute.official_answer" not in kinds_for(agent_b)
    with pytest.raises(ValidationError):
        services.official_answer_give(
            contribution=published, by=lab_staff, status=AnswerStatus.RECEIVED, text="Retour"
        )
    with pytest.raises(AlreadyDone):
        services.official_answer_give(
            contribution=published, by=lab_staff, status=AnswerStatus.UNDER_STUDY, text="Bis"
        )


def test_not_adopted_needs_a_reason(published, lab_staff):
    with pytest.raises(ValidationError) as refused:
        services.official_answer_give(
            contribution=published, by=lab_staff, status=AnswerStatus.NOT_ADOPTED, text="Non."
        )
    assert "reason" in refused.value.message_dict
    services.official_answer_give(
        contribution=published,
        by=lab_staff,
        status=AnswerStatus.NOT_ADOPTED,
        text="Non.",
        reason="Hors du champ de la Caf.",
    )
    published.refresh_from_db()
    assert published.answer_status == AnswerStatus.NOT_ADOPTED
    assert services.allowed_answer_statuses(published.answer_status) == []


def test_not_adopted_without_reason_is_refused_by_the_database(published, lab_staff):
    with pytest.raises(IntegrityError), transaction.atomic():
        OfficialAnswer.objects.create(
            contribution=published, status=AnswerStatus.NOT_ADOPTED, text="Non", reason=""
        )


def test_taken_into_a_project_needs_the_project_then_adopted_keeps_it(published, lab_staff):
    project = ProjectFactory()
    with pytest.raises(ValidationError):
        services.official_answer_give(
            contribution=published, by=lab_staff, status=AnswerStatus.IN_PROJECT, text="Oui"
        )
    services.official_answer_give(
        contribution=published,
        by=lab_staff,
        status=AnswerStatus.IN_PROJECT,
        text="Intégrée",
        project=project,
    )
    services.official_answer_give(
        contribution=published, by=lab_staff, status=AnswerStatus.ADOPTED, text="Retenue"
    )
    published.refresh_from_db()
    assert published.project == project
    assert list(published.answers.values_list("status", flat=True)) == [
        AnswerStatus.ADOPTED,
        AnswerStatus.IN_PROJECT,
    ]


def test_an_unpublished_contribution_gets_no_official_answer(call, citizen, lab_staff, theme):
    pending = submit(call, citizen, theme)
    with pytest.raises(ValidationError):
        services.official_answer_give(
            contribution=pending, by=lab_staff, status=AnswerStatus.UNDER_STUDY, text="?"
        )


# --- project stage changes -----------------------------------------------------------------


def test_stage_change_of_the_project_is_told_to_author_and_supporters_only(
    published, lab_staff, agent_a, agent_b, citizen, call
):
    project = ProjectFactory(stage=Stage.IDEA)
    services.support_add(contribution=published, by=agent_a)
    services.official_answer_give(
        contribution=published,
        by=lab_staff,
        status=AnswerStatus.IN_PROJECT,
        text="Intégrée",
        project=project,
    )
    other = ContributionFactory(consultation=call)  # not linked to the project
    services.support_add(contribution=other, by=agent_b)
    Notification.objects.all().delete()

    review = GateReviewFactory(project=project, from_stage=Stage.IDEA, to_stage=Stage.CREATIVITY)
    gate_decide(review=review, by=lab_staff, decision=GateReview.Decision.GO, rationale="Go")

    told = Notification.objects.filter(kind="ecoute.project_stage")
    assert set(told.values_list("recipient", flat=True)) == {citizen.pk, agent_a.pk}
    assert "Séance de créativité" in told.first().title
    assert told.get(recipient=citizen).is_own_contribution


def test_a_recycle_decision_moves_nothing_and_tells_nobody(published, lab_staff):
    project = ProjectFactory(stage=Stage.IDEA)
    published.project = project
    published.save()
    review = GateReviewFactory(project=project, from_stage=Stage.IDEA, to_stage=Stage.CREATIVITY)
    gate_decide(review=review, by=lab_staff, decision=GateReview.Decision.RECYCLE, rationale="R")
    assert not Notification.objects.filter(kind="ecoute.project_stage").exists()


# --- restitution helper --------------------------------------------------------------------


def test_contributions_with_outcomes_lists_published_ones_with_answer_and_project(
    published, call, citizen, lab_staff, theme, django_assert_num_queries
):
    project = ProjectFactory()
    services.official_answer_give(
        contribution=published,
        by=lab_staff,
        status=AnswerStatus.IN_PROJECT,
        text="Intégrée au projet",
        project=project,
    )
    submit(call, citizen, theme)  # pending: not in the restitution
    with django_assert_num_queries(1):
        rows = list(services.contributions_with_outcomes(call))
        assert [(r.pk, r.answer_status, r.project.code) for r in rows] == [
            (published.pk, AnswerStatus.IN_PROJECT, project.code)
        ]
        assert rows[0].latest_answer_text == "Intégrée au projet"
        assert rows[0].n_supports == 0
