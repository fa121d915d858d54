"""The evaluation plan: who reads and edits it, the theory of change drawn and listed, and
versions that freeze the plan's content."""

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.urls import reverse

from evaluation.models import ChangeLink, EvaluationPlan, PlanVersion
from evaluation.services.plans import plan_version_save
from projects.services import AlreadyDone
from tests.evaluation.factories import (
    ChangeLinkFactory,
    ChangeStepFactory,
    EvaluativeQuestionFactory,
    IndicatorTargetFactory,
    StakeholderGroupFactory,
)
from tests.queries import assert_flat_query_count

pytestmark = pytest.mark.django_db


def _plan_url(project) -> str:
    return reverse("evaluation:plan", kwargs={"code": project.code})


def test_the_lead_creates_the_plan_from_the_project(client, lead, project):
    client.force_login(lead)
    response = client.post(
        reverse("evaluation:plan-update", kwargs={"code": project.code}),
        {
            "summary": "Le non-recours baisse-t-il ?",
            "evidence_level": "2",
            "methods": "",
            "calendar": "",
        },
    )
    assert response.status_code == 302
    plan = EvaluationPlan.objects.get(project=project)
    assert (plan.version, plan.evidence_level, plan.updated_by) == (1, 2, lead)


@pytest.mark.parametrize("who", ["lead", "teammate", "lab_staff"])
def test_the_lead_the_team_and_the_lab_edit_the_plan(client, request, plan, who):
    client.force_login(request.getfixturevalue(who))
    url = reverse("evaluation:group-create", kwargs={"code": plan.project.code})
    response = client.post(url, {"name": "Agents d'accueil", "kind": "agents", "description": ""})
    assert response.status_code == 302
    assert plan.stakeholder_groups.filter(name="Agents d'accueil").exists()


@pytest.mark.parametrize("who", ["agent_b", "correspondent_a", "correspondent_b"])
def test_other_network_members_read_the_plan_but_may_not_edit_it(client, request, plan, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(_plan_url(plan.project)).status_code == 200
    url = reverse("evaluation:group-create", kwargs={"code": plan.project.code})
    assert client.post(url, {"name": "X", "kind": "users"}).status_code == 403
    assert not plan.stakeholder_groups.exists()


def test_citizens_are_refused_and_anonymous_visitors_sent_to_the_login_page(client, citizen, plan):
    url = _plan_url(plan.project)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(resolve_url(settings.LOGIN_URL))
    client.force_login(citizen)
    assert client.get(url).status_code == 403
    assert client.get(reverse("evaluation:index")).status_code == 403


def test_a_draft_project_is_hidden_from_the_network(client, agent_b, plan):
    plan.project.is_draft = True
    plan.project.save()
    client.force_login(agent_b)
    assert client.get(_plan_url(plan.project)).status_code == 404


def test_the_theory_of_change_is_drawn_and_listed(client, agent_b, plan):
    link = ChangeLinkFactory(
        source=ChangeStepFactory(plan=plan, label="Rendez-vous proposés"),
        target__label="Droits ouverts",
        assumption="Les familles viennent au rendez-vous.",
    )
    client.force_login(agent_b)
    page = client.get(_plan_url(plan.project)).content.decode()
    assert 'role="img"' in page
    assert "<desc" in page
    assert "H1 → Droits ouverts" in page
    assert link.assumption in page


def test_a_link_between_a_step_and_itself_is_refused(client, lead, plan):
    step = ChangeStepFactory(plan=plan)
    client.force_login(lead)
    url = reverse("evaluation:link-create", kwargs={"code": plan.project.code})
    response = client.post(url, {"source": step.pk, "target": step.pk, "assumption": ""})
    assert response.status_code == 200
    assert "Un lien relie deux étapes différentes." in response.content.decode()
    assert not ChangeLink.objects.exists()


def test_saving_a_version_freezes_the_content_and_moves_the_plan_on(client, lead, plan, indicator):
    group = StakeholderGroupFactory(plan=plan, name="Familles")
    question = EvaluativeQuestionFactory(plan=plan, text="Le non-recours baisse-t-il ?")
    question.stakeholder_groups.add(group)
    ChangeLinkFactory(source=ChangeStepFactory(plan=plan, label="Rendez-vous"))
    IndicatorTargetFactory(indicator=indicator)
    client.force_login(lead)
    url = reverse("evaluation:version-create", kwargs={"code": plan.project.code})
    assert client.post(url, {"version": 1, "note": "Après le comité"}).status_code == 302
    version = PlanVersion.objects.get()
    plan.refresh_from_db()
    assert (version.number, plan.version, version.note) == (1, 2, "Après le comité")
    # Later edits do not touch the frozen copy.
    question.text = "Autre question"
    question.save()
    indicator.name = "Nouveau nom"
    indicator.save()
    version.refresh_from_db()
    assert version.content["questions"][0]["text"] == "Le non-recours baisse-t-il ?"
    assert version.content["questions"][0]["stakeholder_groups"] == ["Familles"]
    assert version.content["indicators"][0]["name"] == "Taux de recours"
    assert version.content["indicators"][0]["targets"] == [
        {"period": "2026-10-01", "value": "60.00"}
    ]
    assert len(version.content["change_links"]) == 1
    page = client.get(reverse("evaluation:version-detail", kwargs={"pk": version.pk}))
    assert "Le non-recours baisse-t-il ?" in page.content.decode()


def test_the_plan_page_says_the_version_being_written_is_not_yet_frozen(client, lead, plan):
    client.force_login(lead)
    url = reverse("evaluation:plan", kwargs={"code": plan.project.code})
    assert "1 (pas encore figée)" in client.get(url).content.decode()
    plan_version_save(plan=plan, by=lead, note="", expected_version=1)
    page = client.get(url).content.decode()
    # Version 2 is being written; version 1, the one listed, is the last frozen.
    assert "2 (pas encore figée\u00a0; dernière version figée\u00a0: 1)" in page
    assert "Version 1" in page
    assert "Version 2</a>" not in page


def test_a_second_click_on_save_version_keeps_one_version(client, lead, plan):
    plan_version_save(plan=plan, by=lead, note="", expected_version=1)
    with pytest.raises(AlreadyDone):
        plan_version_save(plan=plan, by=lead, note="", expected_version=1)
    client.force_login(lead)
    url = reverse("evaluation:version-create", kwargs={"code": plan.project.code})
    response = client.post(url, {"version": 1, "note": ""}, follow=True)
    assert "déjà été enregistrée" in response.content.decode()
    assert PlanVersion.objects.count() == 1


def test_the_project_page_shows_the_plan_panel(client, agent_b, plan, indicator):
    client.force_login(agent_b)
    page = client.get(plan.project.get_absolute_url()).content.decode()
    assert "Voir le plan d’évaluation" in page
    assert "1 indicateur" in page


def test_the_evaluation_home_lists_the_plans_with_a_fixed_number_of_queries(client, agent_b, caf_a):
    from tests.evaluation.factories import EvaluationPlanFactory, IndicatorFactory
    from tests.evaluation.factories import MeasurementFactory as Measure

    client.force_login(agent_b)

    def add(n):
        for _ in range(n):
            plan = EvaluationPlanFactory()
            indicator = IndicatorFactory(project=plan.project, category="environmental")
            Measure(indicator=indicator, caf=caf_a)

    url = reverse("evaluation:index")
    assert_flat_query_count(client, url, add, sizes=(2, 6), expected=EXPECTED_INDEX_QUERIES)
    page = client.get(url).content.decode()
    assert "6 projets avec un plan d’évaluation" in page


# session, user with their Caf, plans with their counts, unread count; then the portfolio
# reports part: three more queries
EXPECTED_INDEX_QUERIES = 7


def test_a_partner_of_the_project_reads_its_plan_and_others_do_not_see_it(client, plan):
    from caflab.accounts.models import Role
    from tests.accounts.factories import UserFactory
    from tests.network.factories import PartnerFactory

    partner, other = PartnerFactory(), PartnerFactory()
    plan.project.partners.add(partner)
    client.force_login(UserFactory(role=Role.PARTNER, caf=None, partner=partner))
    assert client.get(_plan_url(plan.project)).status_code == 200
    client.force_login(UserFactory(role=Role.PARTNER, caf=None, partner=other))
    assert client.get(_plan_url(plan.project)).status_code == 404


def test_the_project_panel_costs_a_fixed_number_of_queries(agent_b, plan, caf_a):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from evaluation.models import Measurement
    from evaluation.panels.plans import context
    from projects.models import Project
    from tests.evaluation.factories import IndicatorFactory
    from tests.evaluation.factories import MeasurementFactory as Measure

    def measure() -> int:
        project = Project.objects.get(pk=plan.project_id)  # as the page reads it, once
        with CaptureQueriesContext(connection) as ctx:
            result = context(project, agent_b)
        assert (
            result["n_measurements"]
            == Measurement.objects.filter(indicator__project=project).count()
        )
        return len(ctx.captured_queries)

    first = measure()
    for _ in range(5):
        Measure(indicator=IndicatorFactory(project=plan.project), caf=caf_a)
    # The plan and every count of the panel in one query (shared with its other parts), and
    # the team membership (read from the prefetched team on the project's page).
    assert measure() == first == 2


def test_the_evaluation_home_hides_the_plans_of_projects_the_user_does_not_see(
    client, agent_b, plan
):
    from tests.evaluation.factories import EvaluationPlanFactory
    from tests.projects.factories import ProjectFactory

    EvaluationPlanFactory(project=ProjectFactory(is_draft=True, title="Projet en brouillon"))
    client.force_login(agent_b)
    page = client.get(reverse("evaluation:index")).content.decode()
    assert plan.project.code in page
    assert "Projet en brouillon" not in page


def test_adding_an_item_before_the_plan_exists_leads_to_the_plans_form(client, lead, project):
    client.force_login(lead)
    url = reverse("evaluation:question-create", kwargs={"code": project.code})
    response = client.get(url)
    assert response["Location"] == reverse("evaluation:plan-update", kwargs={"code": project.code})
    assert not EvaluationPlan.objects.exists()
