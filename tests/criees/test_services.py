import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from caflab.core.errors import NotAllowedNow
from caflab.network.models import Caf
from caflab.notifications.models import Notification
from caflab.notifications.services import follow, is_following
from criees.models import (
    Comment,
    Criee,
    Initiative,
    InitiativeMember,
    InitiativeStatusChange,
    InterestDeclaration,
    InterestLevel,
    Pitch,
    Support,
)
from criees.services import (
    AlreadyDone,
    InterestOutcome,
    comment_add,
    comment_moderate,
    comment_report,
    criee_advance,
    criee_set_current,
    initiative_create,
    initiative_promote,
    initiative_publish,
    initiative_return,
    initiative_submit,
    interest_declare,
    pitch_decide,
    pitch_decline,
    pitch_move,
    pitch_propose,
    pitch_schedule,
    support_add,
    support_remove,
)
from projects.models import Deployment, ProjectOrigin, Stage, TeamMember
from tests.accounts.factories import UserFactory
from tests.criees.factories import (
    CommentFactory,
    CrieeFactory,
    InitiativeFactory,
    InterestFactory,
    PitchFactory,
)

pytestmark = pytest.mark.django_db

Status = Initiative.Status


def kinds_for(user) -> list[str]:
    return list(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


@pytest.fixture
def draft(agent_a, caf_a):
    return initiative_create(
        by=agent_a,
        caf=caf_a,
        title="Rendez-vous des droits en mairie",
        summary="Des permanences Caf dans les mairies rurales.",
        problem="Les familles rurales sont loin d'un accueil.",
        actions="Une permanence mensuelle dans douze mairies.",
    )


# --- from draft to the catalogue -------------------------------------------------------------


def test_a_new_initiative_is_a_draft_led_by_its_author_who_follows_it(draft, agent_a):
    assert draft.status == Status.DRAFT
    member = InitiativeMember.objects.get(initiative=draft)
    assert (member.user, member.role) == (agent_a, InitiativeMember.Role.LEAD)
    assert InitiativeStatusChange.objects.get(initiative=draft).to_status == Status.DRAFT
    assert is_following(user=agent_a, obj=draft)


def test_the_team_can_be_given_at_creation(agent_a, caf_a):
    colleague = UserFactory(caf=caf_a)
    initiative = initiative_create(
        by=agent_a, caf=caf_a, title="T", summary="s", problem="p", actions="a", team=[colleague]
    )
    roles = dict(initiative.members.values_list("user_id", "role"))
    assert roles == {agent_a.pk: "lead", colleague.pk: "member"}


def test_submitting_tells_the_correspondents_of_the_caf(draft, agent_a, correspondent_a):
    initiative_submit(initiative=draft, by=agent_a)
    draft.refresh_from_db()
    assert draft.status == Status.SUBMITTED
    assert kinds_for(correspondent_a) == ["criees.initiative_submitted"]


def test_a_caf_without_correspondent_has_its_initiatives_validated_by_the_lab(
    agent_b, caf_b, lab_staff
):
    initiative = InitiativeFactory(caf=caf_b, created_by=agent_b, status=Status.DRAFT)
    initiative_submit(initiative=initiative, by=agent_b)
    assert kinds_for(lab_staff) == ["criees.initiative_submitted"]


def test_submitting_twice_is_already_done(draft, agent_a):
    initiative_submit(initiative=draft, by=agent_a)
    with pytest.raises(AlreadyDone):
        initiative_submit(initiative=draft, by=agent_a)


def test_publishing_dates_the_initiative_and_tells_its_team(draft, agent_a, correspondent_a):
    initiative_submit(initiative=draft, by=agent_a)
    initiative_publish(initiative=draft, by=correspondent_a)
    draft.refresh_from_db()
    assert draft.status == Status.PUBLISHED
    assert draft.published_at is not None
    assert "criees.initiative_published" in kinds_for(agent_a)


def test_publishing_a_draft_that_was_not_submitted_is_refused(draft, correspondent_a):
    with pytest.raises(ValidationError):
        initiative_publish(initiative=draft, by=correspondent_a)


def test_a_second_validation_is_already_done(draft, agent_a, correspondent_a, lab_staff):
    initiative_submit(initiative=draft, by=agent_a)
    initiative_publish(initiative=draft, by=correspondent_a)
    with pytest.raises(AlreadyDone):
        initiative_return(initiative=draft, by=lab_staff, comment="Trop tard")


def test_returning_needs_a_comment_and_the_team_submits_again(draft, agent_a, correspondent_a):
    initiative_submit(initiative=draft, by=agent_a)
    with pytest.raises(ValidationError):
        initiative_return(initiative=draft, by=correspondent_a, comment="  ")
    initiative_return(initiative=draft, by=correspondent_a, comment="Ajoutez les résultats.")
    draft.refresh_from_db()
    assert (draft.status, draft.return_comment) == (Status.RETURNED, "Ajoutez les résultats.")
    assert "criees.initiative_returned" in kinds_for(agent_a)
    initiative_submit(initiative=draft, by=agent_a)
    draft.refresh_from_db()
    assert draft.status == Status.SUBMITTED


def test_the_database_refuses_a_returned_initiative_without_comment(caf_a):
    with pytest.raises(IntegrityError), transaction.atomic():
        InitiativeFactory(caf=caf_a, status=Status.RETURNED, return_comment="")


# --- supports, comments, moderation -----------------------------------------------------------


def test_supporting_twice_is_already_done_and_keeps_one_row(initiative, agent_b, agent_a):
    support_add(initiative=initiative, by=agent_b)
    with pytest.raises(AlreadyDone):
        support_add(initiative=initiative, by=agent_b)
    assert Support.objects.count() == 1
    assert kinds_for(agent_a) == ["criees.initiative_supported"]
    support_remove(initiative=initiative, by=agent_b)
    assert not Support.objects.exists()


def test_the_database_refuses_two_supports_of_one_person(initiative, agent_b):
    Support.objects.create(initiative=initiative, user=agent_b)
    with pytest.raises(IntegrityError), transaction.atomic():
        Support.objects.create(initiative=initiative, user=agent_b)


def test_a_reply_to_a_reply_joins_the_thread_and_tells_the_replied_author(
    initiative, agent_a, agent_b, lab_staff
):
    root = comment_add(initiative=initiative, by=agent_b, text="Combien d'agents ?")
    reply = comment_add(initiative=initiative, by=agent_a, text="Deux.", parent=root)
    again = comment_add(initiative=initiative, by=lab_staff, text="Merci", parent=reply)
    assert again.parent == root
    assert "criees.comment_added" in kinds_for(agent_b)
    assert is_following(user=agent_b, obj=initiative)


def test_an_empty_comment_is_refused(initiative, agent_b):
    with pytest.raises(ValidationError):
        comment_add(initiative=initiative, by=agent_b, text="   ")


def test_a_comment_reported_enough_times_waits_for_moderation(initiative, moderator):
    comment = CommentFactory(initiative=initiative)
    reporters = [UserFactory() for _ in range(settings.ENGAGEMENT_REPORTS_TO_HIDE)]
    for reporter in reporters[:-1]:
        comment_report(comment=comment, by=reporter)
    comment.refresh_from_db()
    assert comment.status == Comment.Status.VISIBLE
    comment_report(comment=comment, by=reporters[-1], reason="Propos blessants")
    comment.refresh_from_db()
    assert comment.status == Comment.Status.REPORTED
    assert kinds_for(moderator) == ["criees.comment_pending"]
    comment_report(comment=comment, by=UserFactory())
    assert kinds_for(moderator) == ["criees.comment_pending"]  # told once


def test_reporting_twice_is_already_done(initiative, agent_b):
    comment = CommentFactory(initiative=initiative)
    comment_report(comment=comment, by=agent_b)
    with pytest.raises(AlreadyDone):
        comment_report(comment=comment, by=agent_b)


def test_a_restored_comment_needs_new_reports_to_be_hidden_again(initiative, moderator):
    comment = CommentFactory(initiative=initiative)
    for _ in range(settings.ENGAGEMENT_REPORTS_TO_HIDE):
        comment_report(comment=comment, by=UserFactory())
    comment_moderate(comment=comment, by=moderator, action="restore")
    comment.refresh_from_db()
    assert comment.status == Comment.Status.VISIBLE
    comment_report(comment=comment, by=UserFactory())
    comment.refresh_from_db()
    assert comment.status == Comment.Status.VISIBLE


def test_hiding_tells_the_author_and_hiding_again_is_already_done(initiative, moderator):
    comment = CommentFactory(initiative=initiative)
    comment_moderate(comment=comment, by=moderator, action="hide", note="Hors sujet")
    assert kinds_for(comment.author) == ["criees.comment_hidden"]
    with pytest.raises(AlreadyDone):
        comment_moderate(comment=comment, by=moderator, action="hide")


# --- interest ---------------------------------------------------------------------------------


def test_declaring_interest_twice_keeps_one_row_and_one_mail(
    agent_b, initiative, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        interest_declare(initiative=initiative, caf=agent_b.caf, by=agent_b, level="contact")
        _interest, outcome = interest_declare(
            initiative=initiative, caf=agent_b.caf, by=agent_b, level="contact"
        )
    assert outcome == InterestOutcome.UNCHANGED
    assert InterestDeclaration.objects.count() == 1
    assert len(mailoutbox) == 1


def test_declaring_again_updates_the_caf_declaration(initiative, agent_b, caf_b, agent_a):
    interest_declare(initiative=initiative, caf=caf_b, by=agent_b, level="curious")
    interest, outcome = interest_declare(
        initiative=initiative, caf=caf_b, by=agent_b, level="contact", comment="Appelez-nous"
    )
    assert outcome == InterestOutcome.UPDATED
    assert (interest.level, interest.comment) == ("contact", "Appelez-nous")
    assert kinds_for(agent_a).count("criees.interest_declared") == 2


def test_only_the_correspondent_says_wants_to_replicate(initiative, agent_b, correspondent_b):
    with pytest.raises(ValidationError):
        interest_declare(initiative=initiative, caf=agent_b.caf, by=agent_b, level="replicate")
    interest, _outcome = interest_declare(
        initiative=initiative, caf=agent_b.caf, by=correspondent_b, level="replicate"
    )
    assert interest.level == InterestLevel.REPLICATE


def test_an_agent_cannot_withdraw_the_correspondents_replicate(
    initiative, agent_b, correspondent_b
):
    interest_declare(initiative=initiative, caf=agent_b.caf, by=correspondent_b, level="replicate")
    with pytest.raises(ValidationError):
        interest_declare(initiative=initiative, caf=agent_b.caf, by=agent_b, level="curious")
    assert InterestDeclaration.objects.get().level == InterestLevel.REPLICATE


def test_a_caf_does_not_declare_interest_in_its_own_initiative(initiative, correspondent_a):
    with pytest.raises(ValidationError):
        interest_declare(
            initiative=initiative, caf=correspondent_a.caf, by=correspondent_a, level="curious"
        )


def test_no_interest_in_an_unpublished_initiative(agent_b, caf_a):
    draft = InitiativeFactory(caf=caf_a, status=Status.DRAFT)
    with pytest.raises(ValidationError):
        interest_declare(initiative=draft, caf=agent_b.caf, by=agent_b, level="curious")


def test_the_database_refuses_two_declarations_of_one_caf(initiative, caf_b):
    InterestFactory(initiative=initiative, caf=caf_b)
    with pytest.raises(IntegrityError), transaction.atomic():
        InterestFactory(initiative=initiative, caf=caf_b)


# --- promotion ----------------------------------------------------------------------------


def test_promotion_creates_an_essaimage_project_with_authorship_and_deployments(
    initiative, agent_a, caf_a, caf_b, correspondent_b, lab_staff, agent_b
):
    colleague = UserFactory(caf=caf_a)
    InitiativeMember.objects.create(initiative=initiative, user=colleague)
    interest_declare(initiative=initiative, caf=caf_b, by=correspondent_b, level="replicate")
    curious = InterestFactory(initiative=initiative, caf=Caf.objects.get(code="01"))
    support_add(initiative=initiative, by=agent_b)
    pitch = PitchFactory(initiative=initiative)

    project = initiative_promote(initiative=initiative, by=lab_staff)

    assert (project.stage, project.lead, project.pilot_caf) == (Stage.ESSAIMAGE, agent_a, caf_a)
    assert project.is_draft is False
    assert set(TeamMember.objects.filter(project=project).values_list("user", flat=True)) == {
        agent_a.pk,
        colleague.pk,
    }
    origin = ProjectOrigin.objects.get(project=project)
    assert origin.source == initiative
    deployments = Deployment.objects.filter(project=project)
    assert [d.caf for d in deployments] == [caf_b]
    assert deployments.get().status == Deployment.Status.INTERESTED
    assert deployments.get().local_lead == correspondent_b
    assert curious.caf not in [d.caf for d in deployments]
    initiative.refresh_from_db()
    assert initiative.project == project
    pitch.refresh_from_db()
    assert pitch.decision == Pitch.Decision.PROMOTE
    assert "criees.initiative_promoted" in kinds_for(agent_b)  # a supporter
    assert "criees.initiative_promoted" in kinds_for(curious.declared_by)


def test_promoting_twice_is_already_done(initiative, lab_staff):
    initiative_promote(initiative=initiative, by=lab_staff)
    with pytest.raises(AlreadyDone):
        initiative_promote(initiative=initiative, by=lab_staff)


def test_an_unpublished_initiative_is_not_promoted(caf_a, lab_staff):
    draft = InitiativeFactory(caf=caf_a, status=Status.SUBMITTED)
    with pytest.raises(ValidationError):
        initiative_promote(initiative=draft, by=lab_staff)


# --- criées and their programme ------------------------------------------------------------


def test_a_criee_moves_one_status_at_a_time_and_opening_tells_correspondents(
    lab_staff, correspondent_a
):
    criee = CrieeFactory(status=Criee.Status.PLANNED)
    with pytest.raises(ValidationError):
        criee_advance(criee=criee, by=lab_staff, to_status=Criee.Status.HELD)
    criee_advance(criee=criee, by=lab_staff, to_status=Criee.Status.OPEN)
    assert kinds_for(correspondent_a) == ["criees.criee_open"]
    criee.refresh_from_db()
    with pytest.raises(AlreadyDone):
        criee_advance(criee=criee, by=lab_staff, to_status=Criee.Status.OPEN)


def test_the_follow_up_tells_teams_and_interested_cafs(criee, initiative, lab_staff, agent_a):
    PitchFactory(criee=criee, initiative=initiative)
    interest = InterestFactory(initiative=initiative)
    for status in (Criee.Status.CLOSED, Criee.Status.HELD, Criee.Status.FOLLOWED_UP):
        criee_advance(criee=criee, by=lab_staff, to_status=status)
    assert "criees.criee_followed_up" in kinds_for(agent_a)
    assert "criees.criee_followed_up" in kinds_for(interest.declared_by)


def test_a_correspondent_proposes_their_cafs_initiatives_once(
    criee, initiative, correspondent_a, correspondent_b, lab_staff
):
    with pytest.raises(ValidationError):
        pitch_propose(criee=criee, initiative=initiative, by=correspondent_b)
    pitch = pitch_propose(criee=criee, initiative=initiative, by=correspondent_a)
    assert pitch.status == Pitch.Status.PROPOSED
    assert kinds_for(lab_staff) == ["criees.pitch_proposed"]
    with pytest.raises(AlreadyDone):
        pitch_propose(criee=criee, initiative=initiative, by=correspondent_a)


def test_proposals_wait_for_the_call(initiative, correspondent_a, lab_staff):
    planned = CrieeFactory(status=Criee.Status.PLANNED)
    with pytest.raises(NotAllowedNow):
        pitch_propose(criee=planned, initiative=initiative, by=correspondent_a)
    assert pitch_propose(criee=planned, initiative=initiative, by=lab_staff).pk


def test_the_lab_builds_the_programme_in_order(criee, lab_staff, agent_a, caf_a):
    first, second, third = (
        pitch_propose(criee=criee, initiative=InitiativeFactory(caf=caf_a), by=lab_staff)
        for _ in range(3)
    )
    for pitch in (first, second, third):
        pitch_schedule(pitch=pitch, by=lab_staff, slot_minutes=5, presenters=[agent_a])
    assert [p.pk for p in Pitch.objects.scheduled()] == [first.pk, second.pk, third.pk]
    pitch_move(pitch=third, by=lab_staff, direction="up")
    assert [p.pk for p in Pitch.objects.scheduled()] == [first.pk, third.pk, second.pk]
    with pytest.raises(AlreadyDone):
        pitch_move(pitch=first, by=lab_staff, direction="up")
    pitch_decline(pitch=first, by=lab_staff)
    assert list(Pitch.objects.scheduled().values_list("pk", "position")) == [
        (third.pk, 1),
        (second.pk, 2),
    ]
    assert "criees.pitch_scheduled" in kinds_for(agent_a)


def test_the_programme_is_frozen_once_the_criee_is_held(lab_staff):
    held = CrieeFactory(status=Criee.Status.HELD)
    pitch = PitchFactory(criee=held, status=Pitch.Status.PROPOSED, position=None)
    with pytest.raises(NotAllowedNow):
        pitch_schedule(pitch=pitch, by=lab_staff)


def test_the_live_pitch_is_one_of_the_programme(criee, lab_staff):
    pitch = PitchFactory(criee=criee)
    other = PitchFactory()
    criee_set_current(criee=criee, by=lab_staff, pitch=pitch)
    criee.refresh_from_db()
    assert criee.current_pitch == pitch
    with pytest.raises(AlreadyDone):
        criee_set_current(criee=criee, by=lab_staff, pitch=pitch)
    with pytest.raises(ValidationError):
        criee_set_current(criee=criee, by=lab_staff, pitch=other)


def test_the_lab_records_its_decision(lab_staff):
    pitch = PitchFactory()
    pitch_decide(pitch=pitch, by=lab_staff, decision="connect", note="Mise en relation faite")
    pitch.refresh_from_db()
    assert (pitch.decision, pitch.decided_by) == ("connect", lab_staff)


def test_following_an_initiative_brings_its_comments(initiative, agent_b, lab_staff):
    follow(user=lab_staff, obj=initiative)
    comment_add(initiative=initiative, by=agent_b, text="Bravo")
    assert "criees.comment_added" in kinds_for(lab_staff)
