"""The écoute demo: seeded quickly, once, with the consultations the issue asks for."""

import io
import time

import pytest
from django.core.management import call_command

from ecoute.models import Consultation, Question, Response
from ecoute.results import questionnaire_results

pytestmark = pytest.mark.django_db


def test_seed_demo_adds_the_consultations_once_and_quickly(settings):
    settings.DEBUG = True
    started = time.monotonic()
    call_command("seed_demo", stdout=io.StringIO())
    elapsed = time.monotonic() - started
    counts = (Consultation.objects.count(), Response.objects.count())
    call_command("seed_demo", stdout=io.StringIO())
    assert (Consultation.objects.count(), Response.objects.count()) == counts
    assert elapsed < 60  # the whole seed; the 2,000 answers take a few seconds

    closed = Consultation.objects.get(slug="votre-accueil-a-la-caf")
    # phase 2: its restitution is published, so its results are too
    assert closed.status == Consultation.Status.RESULTS_PUBLISHED
    assert closed.access == Consultation.Access.PUBLIC
    assert closed.questionnaire.responses.count() == 2000
    satisfaction = next(
        r for r in questionnaire_results(closed.questionnaire) if r.question.kind == "scale"
    )
    assert satisfaction.answered == 2000
    assert 3 < satisfaction.mean < 4

    open_one = Consultation.objects.get(slug="vos-demarches-en-ligne")
    assert open_one.is_open
    assert open_one.accepts_anonymous
    assert (
        Question.objects.filter(
            questionnaire=open_one.questionnaire, condition_question__isnull=False
        ).count()
        == 2
    )

    agents = Consultation.objects.get(slug="vos-outils-de-travail")
    assert agents.access == Consultation.Access.AGENTS
    assert Consultation.objects.get(slug="familles-monoparentales-isere").is_draft


def test_seed_demo_adds_an_open_call_for_ideas_with_contributions_in_every_state(settings):
    from ecoute.models import AnswerStatus, Contribution, ContributionComment
    from ecoute.services.contributions import contributions_with_outcomes

    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    call = Consultation.objects.get(slug="idees-accueil-des-familles")
    assert call.is_open
    assert call.collects_contributions
    assert call.is_premoderated
    contributions = Contribution.objects.filter(consultation=call)
    assert set(contributions.published().values_list("answer_status", flat=True)) == set(
        AnswerStatus.values
    )
    assert contributions.filter(answer_status=AnswerStatus.IN_PROJECT, project__isnull=False)
    assert contributions.filter(status=Contribution.Status.PENDING).count() == 2
    assert contributions.filter(status=Contribution.Status.REPORTED).exists()
    assert ContributionComment.objects.filter(contribution__consultation=call).count() == 3
    outcomes = list(contributions_with_outcomes(call))
    assert len(outcomes) == 5
    assert outcomes[0].n_supports > 0


def test_seed_demo_adds_the_lab_parentalite_community_and_its_consultation(settings):
    from caflab.accounts.models import User
    from ecoute.models import Community

    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())
    community = Community.objects.get(name="Lab Parentalité")
    assert community.caf.code == "38"
    members = set(community.memberships.active().values_list("user__email", flat=True))
    assert "citoyen@caflab.demo" in members
    assert len(members) == 5
    consultation = Consultation.objects.get(slug="monenfant-lab-parentalite")
    assert consultation.access == Consultation.Access.COMMUNITY
    assert list(consultation.communities.all()) == [community]
    citizen = User.objects.get(email="citoyen@caflab.demo")
    assert Consultation.objects.visible_to(citizen).filter(pk=consultation.pk).exists()
    assert citizen.has_perm("ecoute.answer_consultation", consultation)
    # The Lab Parentalité workshop: a Wednesday afternoon ahead, its seats taken, two waiting.
    from django.utils import timezone

    from ecoute.models import Recruitment, Registration

    workshop = Recruitment.objects.get(title__startswith="Atelier Lab Parentalité")
    starts = timezone.localtime(workshop.starts_at)
    assert starts.weekday() == 2
    assert starts.hour == 14
    assert workshop.starts_at > timezone.now()
    statuses = list(workshop.registrations.values_list("status", flat=True))
    assert statuses.count(Registration.Status.CONFIRMED) == workshop.seats
    assert statuses.count(Registration.Status.WAITING) == 2
