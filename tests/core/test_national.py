"""seed_national at a tiny scale: counts, idempotence, --reset, consistent denormalised values."""

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count, Max, OuterRef, Subquery

from caflab.accounts.models import User
from caflab.national import incubator as national_incubator
from caflab.national.bulk import DOMAIN
from ecoute.models import Answer, Response
from ideas.models import Idea
from projects.models import Deployment, DeploymentChange, Project, StageChange, StatusReport

pytestmark = pytest.mark.django_db
postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="seed_national writes with PostgreSQL's COPY (set DATABASE_URL=postgres://…)",
)


def _seed(capsys, *extra: str) -> str:
    call_command("seed_national", "--scale", "0.002", *extra)
    return capsys.readouterr().out


@postgres_only
def test_seeds_every_domain_then_does_nothing_the_second_time(capsys):
    _seed(capsys)
    users = User.objects.filter(email__endswith=DOMAIN).count()
    answers = Answer.objects.count()
    assert users > 100
    assert Project.objects.count() >= 8
    assert Idea.objects.count() >= 20
    assert (
        Response.objects.filter(
            questionnaire__consultation__slug="nat-consultation-nationale"
        ).count()
        >= 50
    )
    assert answers > Response.objects.count()

    assert "déjà chargé" in _seed(capsys)
    assert User.objects.filter(email__endswith=DOMAIN).count() == users
    assert Answer.objects.count() == answers


@postgres_only
def test_reset_deletes_what_it_wrote_and_seeds_the_same_again(capsys):
    _seed(capsys)
    before = (User.objects.count(), Project.objects.count(), Answer.objects.count())
    _seed(capsys, "--reset")
    assert (User.objects.count(), Project.objects.count(), Answer.objects.count()) == before


@postgres_only
def test_seeds_the_incubator_and_reset_removes_it_with_its_forms(capsys):
    """Calls in every status, the bench's "mes candidatures" (agent.1 applies everywhere), a
    jury's scores on the call in selection; decisions only on the decided calls, every selected
    application in its call's cohort; --reset leaves no call nor its application form."""
    from ecoute.models import Consultation
    from incubator.models import Application, ApplicationScore, Call, Cohort

    _seed(capsys)
    calls = Call.objects.filter(title__startswith=national_incubator.TITLE_PREFIX)
    assert calls.count() == len(national_incubator.CALLS)
    assert set(calls.values_list("status", flat=True)) == set(Call.Status.values)
    ranked = calls.get(title=national_incubator.RANKED_TITLE)
    assert ranked.status == Call.Status.CLOSED
    assert ApplicationScore.objects.filter(application__call=ranked).exists()
    assert (
        Application.objects.filter(
            applicant__email=f"{national_incubator.APPLICANT}{DOMAIN}"
        ).count()
        == calls.exclude(status=Call.Status.DRAFT).count()
    )
    assert not Application.objects.exclude(call__status=Call.Status.DECIDED).exclude(decision="")
    assert not Application.objects.filter(
        call__status=Call.Status.DECIDED, status="submitted", decision=""
    )
    assert not Application.objects.filter(decision="selected", cohort__isnull=True).exists()
    assert Cohort.objects.filter(call__in=calls).count() == 2
    forms = list(calls.values_list("consultation", flat=True))

    _seed(capsys, "--reset")
    assert not Consultation.objects.filter(pk__in=forms).exists()
    assert calls.count() == len(national_incubator.CALLS)  # seeded again


@postgres_only
def test_denormalised_values_agree_with_their_rows(capsys):
    _seed(capsys)
    last_change = StageChange.objects.filter(project=OuterRef("pk")).order_by("-changed_at")
    for project in Project.objects.annotate(
        last_stage=Subquery(last_change.values("to_stage")[:1]),
        last_at=Max("stage_changes__changed_at"),
    ):
        assert (project.stage, project.stage_changed_at) == (project.last_stage, project.last_at)
        latest = StatusReport.objects.filter(project=project).order_by("-reported_on").first()
        if latest:
            assert (project.health, project.health_reported_on) == (
                latest.health,
                latest.reported_on,
            )
    for deployment in Deployment.objects.all():
        last = (
            DeploymentChange.objects.filter(deployment=deployment).order_by("-changed_at").first()
        )
        assert last.to_status == deployment.status
    assert not Idea.objects.filter(status="accepted", project__isnull=True).exists()
    assert not Project.objects.annotate(n=Count("ideas")).filter(n__gt=1).exists()


def test_refuses_sqlite_with_a_clear_message():
    if connection.vendor == "postgresql":
        pytest.skip("the refusal concerns SQLite")
    with pytest.raises(CommandError, match="PostgreSQL"):
        call_command("seed_national", "--scale", "0.001")
