"""An analysis' texts follow their source (issue 18): a comment or a contribution hidden or
refused by the moderation leaves every analysis that copied it at once, with the codes given to
it (not at the next gathering); the analysis' count and its groups of duplicates follow, and a
group whose first text goes keeps its codes. Gathering the texts again adds what is new,
updates what changed (a testimony's author no longer wants to be quoted) and removes what the
source no longer gives; a text shown again comes back."""

import pytest

from analysis.models import AnalysisText, CodeAssignment, SourceKind
from analysis.results import build_results
from analysis.services import (
    analysis_create_for,
    code_apply,
    code_create,
    codes_apply_bulk,
    texts_request,
)
from analysis.sources import get_source
from caflab.engagement.models import CommentStatus
from caflab.engagement.services import comment_moderate, comment_report
from criees.analysis_sources import COMMENT_KIND, COMMENTS
from ecoute.services.contributions import CONTRIBUTION_KIND, contributions_moderate
from evaluation.analysis_sources import TESTIMONIES
from tests.accounts.factories import UserFactory
from tests.analysis.factories import analysis_of
from tests.criees.factories import CommentFactory, CrieeFactory, InitiativeFactory, PitchFactory
from tests.ecoute.factories import ConsultationFactory, ContributionFactory
from tests.evaluation.factories import TestimonyFactory as testimony_factory
from tests.projects.factories import ProjectFactory

pytestmark = pytest.mark.django_db

CAMPAIGN = "Ouvrez l’accueil le samedi matin, nous travaillons en semaine."


def test_the_source_kinds_the_apps_send_are_those_the_analysis_copies():
    assert COMMENT_KIND == SourceKind.COMMENT
    assert CONTRIBUTION_KIND == SourceKind.CONTRIBUTION


@pytest.fixture
def criee(agent_b, caf_a):
    criee = CrieeFactory(title="Criée de l’accueil")
    initiative = InitiativeFactory(caf=caf_a, title="Accueil sans rendez-vous")
    PitchFactory(criee=criee, initiative=initiative)
    CommentFactory(initiative=initiative, author=agent_b, text="Nous voudrions la reprendre.")
    CommentFactory(initiative=initiative, author=agent_b, text="Propos injurieux envers l’équipe.")
    return criee


def comments_analysis(criee, lab_staff):
    return analysis_create_for(source=get_source(COMMENTS), subject=criee, by=lab_staff)


def test_a_comment_hidden_by_a_moderator_leaves_the_analysis_with_its_codes(
    criee, lab_staff, moderator
):
    analysis = comments_analysis(criee, lab_staff)
    code = code_create(analysis=analysis, label="Ton")
    codes_apply_bulk(code=code, texts=analysis.texts.all(), by=lab_staff)
    rude = analysis.texts.get(text__startswith="Propos injurieux")
    comment = criee.pitches.get().initiative.comments.get(pk=rude.source_id)

    comment_moderate(comment=comment, by=moderator, action="hide", message="Injurieux.")

    analysis.refresh_from_db()
    assert list(analysis.texts.values_list("text", flat=True)) == ["Nous voudrions la reprendre."]
    assert analysis.n_texts == 1
    assert not CodeAssignment.objects.filter(text_id=rude.pk).exists()
    (row,) = build_results(analysis, "caf").rows
    assert row.count == 1

    # Shown again, it comes back with the next gathering (its codes are not restored).
    comment_moderate(comment=comment, by=moderator, action="restore")
    texts_request(analysis=analysis)
    analysis.refresh_from_db()
    assert analysis.n_texts == 2
    assert analysis.texts.filter(source_id=comment.pk).exists()


def test_a_comment_hidden_after_reports_leaves_the_analysis(criee, lab_staff, settings):
    settings.ENGAGEMENT_REPORTS_TO_HIDE = 2
    analysis = comments_analysis(criee, lab_staff)
    rude = analysis.texts.get(text__startswith="Propos injurieux")
    comment = criee.pitches.get().initiative.comments.get(pk=rude.source_id)

    comment_report(comment=comment, by=UserFactory())
    assert analysis.texts.filter(pk=rude.pk).exists()  # one report hides nothing
    comment_report(comment=comment, by=UserFactory())

    comment.refresh_from_db()
    assert comment.status == CommentStatus.REPORTED
    assert not analysis.texts.filter(pk=rude.pk).exists()


def test_a_contribution_hidden_or_refused_leaves_the_consultations_analysis(
    consultation_a, correspondent_a, moderator
):
    kept = ContributionFactory(consultation=consultation_a, title="Visio", text="Le soir.")
    hidden = ContributionFactory(consultation=consultation_a, title="Hors sujet", text="Pub.")
    refused = ContributionFactory(
        consultation=consultation_a, title="Doublon", text="Déjà dit.", status="pending"
    )
    analysis = analysis_of(consultation_a, correspondent_a)
    contributions = analysis.texts.filter(source_kind=SourceKind.CONTRIBUTION)
    assert contributions.count() == 3
    before = analysis.n_texts

    contributions_moderate(contributions=[hidden], by=moderator, action="hide")
    contributions_moderate(contributions=[refused], by=moderator, action="reject")

    assert list(contributions.values_list("source_id", flat=True)) == [kept.pk]
    analysis.refresh_from_db()
    assert analysis.n_texts == before - 2


def test_a_withdrawal_touches_only_texts_of_its_own_kind(criee, lab_staff, moderator, caf_a):
    """A contribution and a comment may share an id: hiding one leaves the other's copy."""
    analysis = comments_analysis(criee, lab_staff)
    comment_text = analysis.texts.first()
    twin = ContributionFactory(consultation=ConsultationFactory(), pk=comment_text.source_id)

    contributions_moderate(contributions=[twin], by=moderator, action="hide")

    assert analysis.texts.filter(pk=comment_text.pk).exists()


def test_a_group_whose_first_text_is_hidden_keeps_its_codes_and_its_size(
    consultation_a, correspondent_a, moderator
):
    first, *others = [
        ContributionFactory(consultation=consultation_a, title="Samedi", text=CAMPAIGN)
        for _ in range(3)
    ]
    analysis = analysis_of(consultation_a, correspondent_a)
    group = analysis.texts.filter(source_kind=SourceKind.CONTRIBUTION).order_by("pk")
    head = group.get(source_id=first.pk)
    assert head.group_size == 3
    code = code_create(analysis=analysis, label="Horaires")
    code_apply(text=head, code=code, by=correspondent_a)

    contributions_moderate(contributions=[first], by=moderator, action="hide")

    new_head, member = group
    assert (new_head.source_id, new_head.duplicate_of_id, new_head.group_size) == (
        others[0].pk,
        None,
        2,
    )
    assert member.duplicate_of_id == new_head.pk
    assert set(group.filter(assignments__code=code).values_list("pk", flat=True)) == {
        new_head.pk,
        member.pk,
    }

    # A member hidden: the group shrinks.
    contributions_moderate(contributions=[others[1]], by=moderator, action="hide")
    new_head.refresh_from_db()
    assert new_head.group_size == 1


def test_gathering_again_follows_a_testimony_no_longer_quotable(lead, caf_a):
    project = ProjectFactory(lead=lead, pilot_caf=caf_a)
    testimony = testimony_factory(
        project=project, caf=caf_a, text="L’accueil m’a aidée.", consent_to_quote=True
    )
    analysis = analysis_create_for(source=get_source(TESTIMONIES), subject=project, by=lead)
    copy = analysis.texts.get()
    code = code_create(analysis=analysis, label="Accueil")
    code_apply(text=copy, code=code, by=lead)
    (row,) = build_results(analysis, "caf").rows
    assert row.quotes == ["L’accueil m’a aidée."]

    testimony.consent_to_quote = False
    testimony.text = "L’accueil m’a beaucoup aidée."
    testimony.save()
    texts_request(analysis=analysis)

    copy.refresh_from_db()
    assert not copy.is_quotable
    assert copy.text == "L’accueil m’a beaucoup aidée."
    assert CodeAssignment.objects.filter(text=copy, code=code).exists()  # its codes stay
    (row,) = build_results(analysis, "caf").rows
    assert row.quotes == []


def test_gathering_again_removes_what_the_source_no_longer_gives(lead, caf_a):
    project = ProjectFactory(lead=lead, pilot_caf=caf_a)
    testimony_factory(project=project, text="Premier témoignage.")
    gone = testimony_factory(project=project, text="Témoignage saisi par erreur.")
    analysis = analysis_create_for(source=get_source(TESTIMONIES), subject=project, by=lead)
    assert analysis.n_texts == 2

    gone.delete()
    texts_request(analysis=analysis)

    analysis.refresh_from_db()
    assert analysis.n_texts == 1
    assert list(AnalysisText.objects.filter(analysis=analysis).values_list("text", flat=True)) == [
        "Premier témoignage."
    ]
