"""Évaluation's panel on the director's cockpit (evaluation.panels.cockpit, page
"portfolio_dashboard"): negative effects still open (severe first), evaluations in progress,
impact reports published, each row linking to where it is handled."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from evaluation.models import Effect, ImpactReport
from evaluation.panels import cockpit
from projects.models import Project, Stage
from tests.evaluation.factories import EffectFactory, EvaluationPlanFactory, ImpactReportFactory
from tests.projects.factories import ProjectFactory

pytestmark = pytest.mark.django_db

COCKPIT = reverse("projects:dashboard")


def panel(user) -> dict:
    request = RequestFactory().get(COCKPIT)
    request.user = user
    return cockpit.context(request, Project.objects.visible_to(user))["evaluation"]


def effect_url(effect: Effect) -> str:
    return reverse("evaluation:effect-detail", kwargs={"pk": effect.pk})


def test_open_negative_effects_are_listed_severe_first(lab_staff):
    project = ProjectFactory()
    EffectFactory(project=project, description="Modéré", severity=Effect.Severity.MODERATE)
    severe = EffectFactory(project=project, description="Grave", severity=Effect.Severity.SEVERE)
    EffectFactory(
        project=project,
        description="En cours d’atténuation",
        severity=Effect.Severity.MAJOR,
        status=Effect.Status.MITIGATING,
    )
    EffectFactory(project=project, description="Résolu", status=Effect.Status.RESOLVED)
    EffectFactory(project=project, description="Accepté", status=Effect.Status.ACCEPTED)
    EffectFactory(project=project, description="Positif", nature=Effect.Nature.UNEXPECTED_POSITIVE)

    evaluation = panel(lab_staff)

    assert [e["text"] for e in evaluation["effects"]] == [
        "Grave",
        "En cours d’atténuation",
        "Modéré",
    ]
    assert (evaluation["n_effects"], evaluation["n_severe"]) == (3, 1)
    assert evaluation["effects"][0]["url"] == effect_url(severe)
    assert evaluation["effects"][0]["is_severe"]


def test_the_effects_of_a_draft_stay_hidden_from_the_directorates(directorate_member):
    EffectFactory(project=ProjectFactory(is_draft=True), description="Brouillon")
    EffectFactory(project=ProjectFactory(), description="Visible")
    assert [e["text"] for e in panel(directorate_member)["effects"]] == ["Visible"]


def test_evaluations_in_progress_are_the_plans_of_projects_still_moving(lab_staff):
    moving = EvaluationPlanFactory(project=ProjectFactory(stage=Stage.EXPERIMENTATION))
    EvaluationPlanFactory(project=ProjectFactory(stage=Stage.GENERALISED))
    EvaluationPlanFactory(project=ProjectFactory(stage=Stage.ABANDONED, lesson_learned="Trop tôt."))
    evaluation = panel(lab_staff)
    assert evaluation["n_plans"] == 1
    assert [p["url"] for p in evaluation["plans"]] == [
        reverse("evaluation:plan", kwargs={"code": moving.project.code})
    ]


def test_only_published_reports_the_reader_may_open_are_listed(agent_a):
    published = ImpactReportFactory(status=ImpactReport.Status.READY, is_published=True)
    ImpactReportFactory(status=ImpactReport.Status.READY, is_published=False)
    ImpactReportFactory(
        project=ProjectFactory(is_draft=True), status=ImpactReport.Status.READY, is_published=True
    )
    evaluation = panel(agent_a)
    assert evaluation["n_reports"] == 1
    assert [r["url"] for r in evaluation["reports"]] == [
        reverse("evaluation:report-detail", kwargs={"pk": published.pk})
    ]


def test_the_lists_are_capped_and_cost_three_queries_whatever_their_size(
    lab_staff, django_assert_num_queries
):
    EffectFactory(severity=Effect.Severity.SEVERE)
    with django_assert_num_queries(3):
        panel(lab_staff)
    for _ in range(cockpit.SHOWN + 2):
        EffectFactory()
        EvaluationPlanFactory()
        ImpactReportFactory(status=ImpactReport.Status.READY, is_published=True)
    with django_assert_num_queries(3):
        evaluation = panel(lab_staff)
    assert len(evaluation["effects"]) == len(evaluation["plans"]) == cockpit.SHOWN
    assert len(evaluation["reports"]) == cockpit.SHOWN
    assert evaluation["n_effects"] == cockpit.SHOWN + 3
    assert evaluation["n_severe"] == 1
    assert evaluation["effects"][0]["is_severe"]


def test_the_cockpit_shows_an_open_severe_effect_first_with_its_link(client, lab_staff):
    EffectFactory(description="Un effet modéré", severity=Effect.Severity.MODERATE)
    severe = EffectFactory(description="Des familles perdent un droit")
    Effect.objects.filter(pk=severe.pk).update(severity=Effect.Severity.SEVERE)
    client.force_login(lab_staff)
    html = client.get(COCKPIT).content.decode()
    assert "Effets négatifs encore ouverts" in html
    assert f'href="{effect_url(severe)}"' in html
    assert html.index("Des familles perdent un droit") < html.index("Un effet modéré")
