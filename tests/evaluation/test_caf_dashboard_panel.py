"""The "Évaluation" section of a Caf's dashboard: the evaluations of the innovations run in
the Caf (piloted by it, or deployed there and not declined nor stopped), with their plan,
indicators, open negative effects and published reports; a fixed number of queries."""

import pytest
from django.urls import reverse

from projects.models import Deployment, Stage
from tests.evaluation.factories import (
    EffectFactory,
    EvaluationPlanFactory,
    ImpactReportFactory,
    IndicatorFactory,
)
from tests.projects.factories import ProjectFactory
from tests.queries import count_queries

pytestmark = pytest.mark.django_db


def dashboard(code: str = "38") -> str:
    return reverse("network:caf-dashboard", kwargs={"code": code})


def test_the_panel_lists_the_evaluations_of_innovations_run_in_the_caf(
    client, correspondent_a, caf_a, caf_b
):
    piloted = EvaluationPlanFactory(
        project=ProjectFactory(pilot_caf=caf_a, stage=Stage.EXPERIMENTATION, title="Rendez-vous")
    ).project
    IndicatorFactory.create_batch(2, project=piloted)
    EffectFactory(project=piloted)
    report = ImpactReportFactory(project=piloted, status="ready", is_published=True)
    deployed = EvaluationPlanFactory(
        project=ProjectFactory(pilot_caf=caf_b, stage=Stage.ESSAIMAGE, title="Visio du soir")
    ).project
    Deployment.objects.create(project=deployed, caf=caf_a, status=Deployment.Status.RUNNING)
    declined = EvaluationPlanFactory(
        project=ProjectFactory(pilot_caf=caf_b, stage=Stage.ESSAIMAGE, title="Refusé ici")
    ).project
    Deployment.objects.create(
        project=declined, caf=caf_a, status=Deployment.Status.DECLINED, reason="Pas de moyens."
    )
    EvaluationPlanFactory(project=ProjectFactory(pilot_caf=caf_b, title="Ailleurs"))
    ProjectFactory(pilot_caf=caf_a, title="Sans plan")

    client.force_login(correspondent_a)
    html = client.get(dashboard()).content.decode()
    assert "apparaîtront ici" not in html
    assert "Rendez-vous" in html
    assert "Visio du soir" in html
    for absent in ("Refusé ici", "Ailleurs", "Sans plan"):
        assert absent not in html
    assert f'href="{reverse("evaluation:plan", kwargs={"code": piloted.code})}"' in html
    assert "2 indicateurs" in html
    assert "1 effet négatif ouvert" in html
    assert f'href="{reverse("evaluation:report-detail", kwargs={"pk": report.pk})}"' in html
    assert "essaimage\u00a0: En fonctionnement" in html
    assert "Caf pilote" in html


def test_a_caf_without_evaluation_says_so(client, lab_staff):
    client.force_login(lab_staff)
    html_text = client.get(dashboard("69")).content.decode()
    assert "Aucune innovation menée dans cette Caf n’a encore de plan d’évaluation." in html_text


def test_the_list_costs_the_same_queries_at_two_sizes(client, lab_staff, caf_a):
    def add(n: int) -> None:
        for _i in range(n):
            project = EvaluationPlanFactory(
                project=ProjectFactory(pilot_caf=caf_a, stage=Stage.EXPERIMENTATION)
            ).project
            IndicatorFactory(project=project)
            ImpactReportFactory(project=project, status="ready", is_published=True)

    add(2)
    client.force_login(lab_staff)
    small = count_queries(client, dashboard())
    add(12)
    assert count_queries(client, dashboard()) == small
    assert "Les 10 plus récemment mises à jour" in client.get(dashboard()).content.decode()
