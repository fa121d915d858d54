"""One project's pages: create, detail and its timeline, update, public sheet, team, and the
small POST actions of the detail page, for each persona."""

import datetime
import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from caflab.accounts.models import Role
from caflab.network.models import Caf, Theme
from caflab.notifications.services import is_following
from projects.models import (
    BlockerLever,
    Deployment,
    Experiment,
    Health,
    Project,
    ProjectEvent,
    Prototype,
    Stage,
    StageChange,
    StatusReport,
    TeamMember,
)
from projects.services import project_origin_add, status_report_add
from projects.views.project import build_timeline
from tests.accounts.factories import UserFactory
from tests.projects.factories import (
    BlockerLeverFactory,
    DeploymentFactory,
    GateReviewFactory,
    ProjectFactory,
    StatusReportFactory,
)
from tests.queries import assert_flat_query_count

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(lab_staff):
    """Non-draft, led by the lab, piloted by Caf 38 (Isère)."""
    return ProjectFactory(lead=lab_staff)


@pytest.fixture
def draft(lab_staff):
    return ProjectFactory(lead=lab_staff, is_draft=True)


def url(name: str, project: Project, **kwargs) -> str:
    return reverse(f"projects:{name}", kwargs={"code": project.code, **kwargs})


def as_user(client, user):
    if user is not None:
        client.force_login(user)
    return client


def messages_of(response) -> list[str]:
    """The messages shown by a followed response (`follow=True`)."""
    return [str(m) for m in response.context["messages"]]


def assert_login_redirect(response) -> None:
    assert response.status_code == 302
    assert response["Location"].startswith(str(settings.LOGIN_URL))


def project_form_data(**overrides) -> dict:
    data = {
        "title": "Simplifier la déclaration trimestrielle",
        "problem": "Les allocataires oublient leur déclaration trimestrielle.",
        "solution": "Un rappel par SMS, co-construit avec les usagers.",
        "target_publics": "Allocataires du RSA",
        "track": "national_lab",
        "is_draft": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


# --- detail: who sees what ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("lab_staff", 200),
        ("correspondent_a", 200),
        ("agent_a", 200),
        ("agent_b", 200),
        ("citizen", 404),
    ],
    indirect=["persona"],
)
def test_a_non_draft_project_is_seen_by_the_network_and_hidden_from_citizens(
    client, project, persona, status
):
    assert as_user(client, persona).get(project.get_absolute_url()).status_code == status


def test_an_anonymous_visitor_of_a_project_is_sent_to_login(client, project):
    assert_login_redirect(client.get(project.get_absolute_url()))


def test_a_draft_project_is_404_to_an_agent_of_another_caf(client, draft, agent_b):
    assert as_user(client, agent_b).get(draft.get_absolute_url()).status_code == 404


def test_a_draft_project_is_shown_to_its_team_member(client, draft, agent_b):
    TeamMember.objects.create(project=draft, user=agent_b, role=TeamMember.Role.EXPERT)
    response = as_user(client, agent_b).get(draft.get_absolute_url())
    assert response.status_code == 200
    assert "Brouillon" in response.content.decode()


def test_the_detail_page_shows_the_header_and_one_h1(client, project, agent_a):
    status_report_add(
        project=project,
        by=project.lead,
        health="amber",
        summary="Retard sur les maquettes.",
        reported_on=datetime.date(2026, 3, 2),
    )
    html = as_user(client, agent_a).get(project.get_absolute_url()).content.decode()
    assert html.count("<h1") == 1
    assert project.code in html
    assert "Idée" in html  # stage label, never colour alone
    assert "Santé\u00a0: À surveiller" in html
    assert "2 mars 2026" in html
    assert """<nav aria-label="Fil d’Ariane">""" in html


def test_an_agent_sees_no_edit_button_and_no_add_form(client, project, agent_a):
    response = as_user(client, agent_a).get(project.get_absolute_url())
    html = response.content.decode()
    assert url("update", project) not in html
    assert url("status-report-add", project) not in html
    assert url("gate-request", project) not in html
    assert "report_form" not in response.context


def test_the_lead_sees_edit_gate_request_and_add_forms(client, project, lab_staff):
    html = as_user(client, lab_staff).get(project.get_absolute_url()).content.decode()
    for name in (
        "update",
        "gate-request",
        "status-report-add",
        "lever-add",
        "prototype-add",
        "experiment-add",
        "event-add",
    ):
        assert f'"{url(name, project)}' in html, name


def test_an_open_gate_review_replaces_the_request_button_by_a_link_to_it(
    client, project, lab_staff
):
    review = GateReviewFactory(project=project)
    html = as_user(client, lab_staff).get(project.get_absolute_url()).content.decode()
    assert url("gate-request", project) not in html
    assert url("gate-review", project, pk=review.pk) in html
    assert "Revue en cours" in html


def test_a_correspondent_may_declare_a_deployment_until_their_caf_has_one(
    client, project, correspondent_a, caf_a
):
    declare = url("deployment-declare", project)
    as_user(client, correspondent_a)
    assert declare in client.get(project.get_absolute_url()).content.decode()
    DeploymentFactory(project=project, caf=caf_a)
    assert declare not in client.get(project.get_absolute_url()).content.decode()


def test_an_agent_is_not_offered_to_declare_a_deployment(client, project, agent_a):
    html = as_user(client, agent_a).get(project.get_absolute_url()).content.decode()
    assert url("deployment-declare", project) not in html


def test_origins_are_listed_with_a_link_when_the_source_has_a_page(client, project, lab_staff):
    source = ProjectFactory(title="Projet source")
    project_origin_add(project=project, source=source, label="Issu du projet source")
    html = as_user(client, lab_staff).get(project.get_absolute_url()).content.decode()
    assert f'<a href="{source.get_absolute_url()}">Issu du projet source</a>' in html


def test_deployments_are_counted_by_status(client, project, agent_a, caf_a, caf_b):
    DeploymentFactory(project=project, caf=caf_a, status=Deployment.Status.RUNNING)
    DeploymentFactory(project=project, caf=caf_b, status=Deployment.Status.RUNNING)
    response = as_user(client, agent_a).get(project.get_absolute_url())
    assert response.context["deployment_counts"] == [("En fonctionnement", 2)]
    assert url("deployments", project) in response.content.decode()


# --- detail: query count ---------------------------------------------------------------------


def _grow(project, caf_b):
    """Adds `n` rows of every kind the detail page reads."""
    start = timezone.now() - datetime.timedelta(days=400)
    counter = iter(range(1000))

    def add_rows(n: int) -> None:
        for _ in range(n):
            i = next(counter)
            StatusReportFactory(project=project, health="green")
            BlockerLeverFactory(project=project, status="lifted" if i % 2 else "open")
            StageChange.objects.create(
                project=project,
                from_stage=Stage.IDEA,
                to_stage=Stage.CREATIVITY,
                changed_at=start + datetime.timedelta(days=i),
            )
            ProjectEvent.objects.create(
                project=project, occurred_on=datetime.date(2026, 1, 1), title=f"Jalon {i}"
            )
            Prototype.objects.create(project=project, kind=Prototype.Kind.PAPER, version=str(i))
            experiment = Experiment.objects.create(project=project, title=f"Test {i}")
            experiment.cafs.add(caf_b)
            member = UserFactory(role=Role.AGENT)
            TeamMember.objects.create(project=project, user=member)
            project_origin_add(project=project, source=member.caf, label=f"Origine {i}")
            project_origin_add(project=project, source=ProjectFactory(), label=f"Projet {i}")
            project.themes.add(
                Theme.objects.create(slug=f"theme-test-{i}", name=f"Thème de test {i}")
            )

    return add_rows


def test_the_detail_page_costs_the_same_queries_with_2_or_20_rows_of_everything(
    client, project, lab_staff, caf_b
):
    client.force_login(lab_staff)
    count = assert_flat_query_count(
        client, project.get_absolute_url(), _grow(project, caf_b), sizes=(2, 20)
    )
    # 30 before the labels, counters and rights came with the project; 15 on the national
    # benchmark's project. Here every kind of row exists (origins of two kinds, experiments'
    # Caf, the team on an open review...), each a prefetch of its own. The kit's panel (issue
    # 14) adds its documents, the next gate's deliverables and whether a fiche exists.
    assert count <= 20


def test_the_detail_page_of_an_agent_costs_the_same_queries_with_2_or_20_rows(
    client, project, agent_a, caf_b
):
    client.force_login(agent_a)
    count = assert_flat_query_count(
        client, project.get_absolute_url(), _grow(project, caf_b), sizes=(2, 20)
    )
    assert count <= 18


# --- timeline --------------------------------------------------------------------------------


def _history(project, start):
    for days, from_stage, to_stage in (
        (0, "", Stage.IDEA),
        (10, Stage.IDEA, Stage.CREATIVITY),
        (25, Stage.CREATIVITY, Stage.PROTOTYPE),
    ):
        StageChange.objects.create(
            project=project,
            from_stage=from_stage,
            to_stage=to_stage,
            changed_at=start + datetime.timedelta(days=days),
        )


def test_the_timeline_gives_the_time_spent_in_each_stage(project):
    start = timezone.make_aware(datetime.datetime(2026, 1, 5, 10, 0))
    _history(project, start)
    project = Project.objects.prefetch_related(
        "stage_changes", "gate_reviews", "status_reports", "events"
    ).get(pk=project.pk)
    entries = build_timeline(project, now=start + datetime.timedelta(days=40, hours=3))
    stages = [(e.row.to_stage, e.days, e.is_current) for e in entries if e.kind == "stage"]
    assert stages == [
        (Stage.IDEA, 10, False),
        (Stage.CREATIVITY, 15, False),
        (Stage.PROTOTYPE, 15, True),
    ]


def test_the_timeline_merges_stages_reviews_reports_and_events_in_date_order(
    client, project, lab_staff
):
    start = timezone.now() - datetime.timedelta(days=40)
    _history(project, start)
    review = GateReviewFactory(
        project=project,
        from_stage=Stage.IDEA,
        to_stage=Stage.CREATIVITY,
        status="decided",
        decision="go",
        rationale="Le besoin est confirmé par les agents d'accueil.",
        decided_by=lab_staff,
        decided_at=start + datetime.timedelta(days=10),
    )
    StatusReportFactory(
        project=project, reported_on=(start + datetime.timedelta(days=20)).date(), health="red"
    )
    ProjectEvent.objects.create(
        project=project,
        occurred_on=(start + datetime.timedelta(days=30)).date(),
        kind=ProjectEvent.Kind.PRIZE,
        title="Prix de l'innovation publique",
    )
    response = as_user(client, lab_staff).get(project.get_absolute_url())
    kinds = [e.kind for e in response.context["timeline"]]
    assert kinds == ["stage", "gate", "stage", "report", "stage", "event"]
    assert response.context["timeline"][1].row == review
    html = response.content.decode()
    assert "10 jours dans cette étape" in html
    assert "en cours depuis 15 jours" in html
    # The label comes from the model (see the report: Django's catalogue translates "Go").
    assert f"décision\u00a0: {review.get_decision_display()}" in html
    assert "Le besoin est confirmé par les agents d&#x27;accueil." in html
    assert "Prix de l&#x27;innovation publique" in html


def test_a_project_without_history_shows_its_current_stage_in_the_timeline(project):
    project = Project.objects.prefetch_related(
        "stage_changes", "gate_reviews", "status_reports", "events"
    ).get(pk=project.pk)
    (entry,) = build_timeline(project, now=timezone.now())
    assert entry.kind == "stage"
    assert entry.row.to_stage == Stage.IDEA
    assert entry.is_current


# --- public sheet ----------------------------------------------------------------------------


def test_the_public_sheet_of_a_published_project_is_open_to_anonymous_visitors(
    client, lab_staff, caf_b
):
    project = ProjectFactory(lead=lab_staff, is_public=True)
    project.themes.add(Theme.objects.create(slug="logement-test", name="Logement durable (test)"))
    DeploymentFactory(project=project, caf=caf_b, status=Deployment.Status.RUNNING)
    DeploymentFactory(
        project=project,
        caf=Caf.objects.get(code="13"),
        status=Deployment.Status.STOPPED,
        reason="Pas de moyens cette année.",
    )
    response = client.get(url("public-sheet", project))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<h1") == 1
    assert project.title.replace("'", "&#x27;") in html
    assert "Logement durable (test)" in html
    assert "Caf de l&#x27;Isère" in html or "Isère" in html  # the pilot Caf
    assert "Rhône" in html  # a live deployment
    assert "Bouches-du-Rhône" not in html  # a stopped one is not "where it runs"
    # No personal data.
    assert lab_staff.email not in html
    assert lab_staff.last_name not in html


@pytest.mark.parametrize(
    "persona", ["lab_staff", "correspondent_a", "agent_a", "citizen", "anonymous"], indirect=True
)
def test_the_public_sheet_of_an_unpublished_project_is_404_for_everyone(client, project, persona):
    assert as_user(client, persona).get(url("public-sheet", project)).status_code == 404


def test_a_draft_has_no_public_sheet(client, lab_staff):
    draft = ProjectFactory(lead=lab_staff, is_draft=True)
    Project.objects.filter(pk=draft.pk).update(is_public=False)
    assert as_user(client, lab_staff).get(url("public-sheet", draft)).status_code == 404


# --- create ----------------------------------------------------------------------------------

CREATE = reverse("projects:create")


def test_a_correspondent_creates_a_project_piloted_by_their_caf(client, correspondent_a, caf_a):
    as_user(client, correspondent_a)
    form = client.get(CREATE).context["form"]
    assert form["pilot_caf"].initial == caf_a.pk
    assert list(form.fields["pilot_caf"].queryset) == [caf_a]
    assert form["lead"].initial == correspondent_a
    response = client.post(
        CREATE, project_form_data(pilot_caf=caf_a.pk, lead=correspondent_a.email)
    )
    project = Project.objects.get(title="Simplifier la déclaration trimestrielle")
    assert response.status_code == 302
    assert response["Location"] == project.get_absolute_url()
    assert project.pilot_caf == caf_a
    assert project.lead == correspondent_a
    assert project.is_draft
    assert project.stage == Stage.IDEA
    assert project.team_members.get().role == TeamMember.Role.LEAD
    assert project.stage_changes.get().to_stage == Stage.IDEA


def test_a_correspondent_cannot_create_a_project_for_another_caf(client, correspondent_a, caf_b):
    response = as_user(client, correspondent_a).post(
        CREATE, project_form_data(pilot_caf=caf_b.pk, lead=correspondent_a.email)
    )
    assert response.status_code == 200
    assert "pilot_caf" in response.context["form"].errors
    assert not Project.objects.exists()


@pytest.mark.parametrize("persona", ["agent_a", "agent_b", "citizen"], indirect=True)
def test_only_the_lab_and_correspondents_may_create_a_project(client, persona):
    as_user(client, persona)
    assert client.get(CREATE).status_code == 403
    assert client.post(CREATE, project_form_data(lead=persona.email)).status_code == 403
    assert not Project.objects.exists()


def test_an_anonymous_visitor_of_the_create_page_is_sent_to_login(client):
    assert_login_redirect(client.get(CREATE))


def test_an_invalid_project_form_keeps_what_was_typed_and_says_why_in_french(client, lab_staff):
    response = as_user(client, lab_staff).post(
        CREATE, project_form_data(problem="", lead=lab_staff.email, target_publics="Jeunes parents")
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="resume-erreurs"' in html
    assert "Ce champ est obligatoire." in html
    assert 'value="Simplifier la déclaration trimestrielle"' in html
    assert 'value="Jeunes parents"' in html
    assert html.count("<h1") == 1
    assert not Project.objects.exists()


def test_a_draft_cannot_be_public(client, lab_staff):
    response = as_user(client, lab_staff).post(
        CREATE, project_form_data(lead=lab_staff.email, is_public="on")
    )
    assert response.status_code == 200
    assert response.context["form"].errors["is_public"] == [
        "Un brouillon ne peut pas avoir de fiche publique."
    ]


def test_the_code_is_inno_year_number_and_increments(client, lab_staff):
    year = timezone.localdate().year
    as_user(client, lab_staff)
    client.post(CREATE, project_form_data(title="Premier", lead=lab_staff.email))
    client.post(CREATE, project_form_data(title="Second", lead=lab_staff.email))
    first = Project.objects.get(title="Premier").code
    second = Project.objects.get(title="Second").code
    assert re.fullmatch(rf"INNO-{year}-\d{{3,}}", first)
    assert int(second.rsplit("-", 1)[1]) == int(first.rsplit("-", 1)[1]) + 1


def test_the_lead_is_chosen_among_active_network_members(client, lab_staff, citizen):
    leads = as_user(client, lab_staff).get(CREATE).context["form"].fields["lead"].queryset
    assert lab_staff in leads
    assert citizen not in leads
    assert not leads.filter(is_active=False).exists()


# --- update ----------------------------------------------------------------------------------


def test_the_lead_edits_the_project(client, project, lab_staff):
    as_user(client, lab_staff)
    assert client.get(url("update", project)).status_code == 200
    response = client.post(
        url("update", project),
        project_form_data(title="Nouveau titre", lead=lab_staff.email, is_draft=None),
    )
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.title == "Nouveau titre"
    assert not project.is_draft


def test_the_pilot_correspondent_may_edit_the_project(client, project, correspondent_a):
    assert as_user(client, correspondent_a).get(url("update", project)).status_code == 200


@pytest.mark.parametrize("persona", ["agent_a", "agent_b"], indirect=True)
def test_an_agent_outside_the_team_may_not_edit_a_visible_project(client, project, persona):
    as_user(client, persona)
    assert client.get(url("update", project)).status_code == 403
    assert client.post(url("update", project), project_form_data()).status_code == 403


def test_a_citizen_gets_404_on_the_edit_page(client, project, citizen):
    assert as_user(client, citizen).get(url("update", project)).status_code == 404


def test_the_stage_cannot_be_changed_through_the_edit_form(client, project, lab_staff):
    as_user(client, lab_staff).post(
        url("update", project),
        project_form_data(lead=lab_staff.email, stage=Stage.GENERALISED, is_draft=None),
    )
    project.refresh_from_db()
    assert project.stage == Stage.IDEA
    assert "stage" not in client.get(url("update", project)).context["form"].fields


def test_a_team_member_outside_the_lab_cannot_change_the_lead(client, project, agent_a, caf_a):
    TeamMember.objects.create(project=project, user=agent_a, role=TeamMember.Role.CO_LEAD)
    as_user(client, agent_a)
    assert "lead" not in client.get(url("update", project)).context["form"].fields
    response = client.post(
        url("update", project),
        project_form_data(lead=agent_a.email, pilot_caf=caf_a.pk, is_draft=None),
    )
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.lead_id != agent_a.pk


def test_the_lab_hands_a_project_over_to_a_new_lead(client, project, lab_staff, agent_a):
    as_user(client, lab_staff).post(
        url("update", project), project_form_data(lead=agent_a.email, is_draft=None)
    )
    project.refresh_from_db()
    assert project.lead == agent_a
    roles = dict(project.team_members.values_list("user_id", "role"))
    assert roles == {agent_a.pk: TeamMember.Role.LEAD, lab_staff.pk: TeamMember.Role.CO_LEAD}


# --- status reports, blockers and levers -----------------------------------------------------


def test_a_status_report_sets_the_health_and_appears_in_the_timeline(client, project, lab_staff):
    as_user(client, lab_staff)
    response = client.post(
        url("status-report-add", project),
        {
            "point-reported_on": "2026-04-15",
            "point-health": "red",
            "point-summary": "Le prestataire SMS a fait défaut.",
            "point-next_steps": "Relancer l'appel d'offres.",
        },
    )
    assert response.status_code == 302
    assert response["Location"].endswith("#points-etape")
    project.refresh_from_db()
    assert project.health == Health.RED
    assert project.health_reported_on == datetime.date(2026, 4, 15)
    page = client.get(project.get_absolute_url())
    reports = [e.row for e in page.context["timeline"] if e.kind == "report"]
    assert [r.summary for r in reports] == ["Le prestataire SMS a fait défaut."]
    assert "Santé\u00a0: En difficulté" in page.content.decode()


def test_an_invalid_status_report_reopens_on_its_own_page_with_what_was_typed(
    client, project, lab_staff
):
    response = as_user(client, lab_staff).post(
        url("status-report-add", project),
        {"point-reported_on": "2026-04-15", "point-summary": "Un résumé sans santé."},
    )
    assert response.status_code == 200
    assert response.templates[0].name == "projects/project_add_form.html"
    html = response.content.decode()
    heading = escape("Nouveau point d’étape")
    assert f'<h1 class="h2 mb-1">{heading}</h1>' in html
    assert "Un résumé sans santé." in html
    assert "Ce champ est obligatoire." in html
    assert html.count("<h1") == 1
    assert not StatusReport.objects.exists()


@pytest.mark.parametrize("persona", ["agent_a", "agent_b"], indirect=True)
def test_an_agent_outside_the_team_may_not_add_a_status_report(client, project, persona):
    response = as_user(client, persona).post(
        url("status-report-add", project), {"point-health": "green", "point-summary": "Non."}
    )
    assert response.status_code == 403
    assert not StatusReport.objects.exists()


@pytest.mark.parametrize(
    ("name", "heading", "typed"),
    [
        (
            "status-report-add",
            "Nouveau point d’étape",
            {"point-next_steps": "Relancer le prestataire"},
        ),
        ("lever-add", "Nouveau frein ou levier", {"levier-text": "Manque de temps des agents"}),
        ("prototype-add", "Nouveau prototype", {"prototype-findings": "Les parents hésitent"}),
        (
            "experiment-add",
            "Nouvelle expérimentation",
            {"experimentation-protocol": "Deux groupes"},
        ),
        ("event-add", "Nouvel événement", {"evenement-description": "Remise du prix à Lyon"}),
    ],
)
def test_each_invalid_add_form_reopens_on_its_own_page_with_what_was_typed(
    client, project, lab_staff, name, heading, typed
):
    response = as_user(client, lab_staff).post(url(name, project), typed)
    assert response.status_code == 200
    # One page for every add form, headed by what is being added.
    assert response.templates[0].name == "projects/project_add_form.html"
    html = response.content.decode()
    assert f'<h1 class="h2 mb-1">{escape(heading)}</h1>' in html
    assert next(iter(typed.values())) in html
    assert 'id="resume-erreurs"' in html
    assert f'action="{url(name, project)}"' in html
    assert html.count("<h1") == 1


def test_the_add_actions_answer_get_with_405(client, project, lab_staff):
    as_user(client, lab_staff)
    for name in ("status-report-add", "lever-add", "prototype-add", "experiment-add", "event-add"):
        assert client.get(url(name, project)).status_code == 405, name


def test_a_blocker_is_added_with_its_author_as_owner_by_default(client, project, lab_staff):
    response = as_user(client, lab_staff).post(
        url("lever-add", project),
        {"levier-kind": "blocker", "levier-text": "Convention de données à signer."},
    )
    assert response.status_code == 302
    lever = BlockerLever.objects.get()
    assert lever.owner == lab_staff
    assert lever.status == BlockerLever.Status.OPEN


def test_lifting_a_lever_twice_says_already_lifted_instead_of_failing(client, project, lab_staff):
    lever = BlockerLeverFactory(project=project)
    as_user(client, lab_staff)
    first = client.post(url("lever-lift", project, pk=lever.pk), follow=True)
    assert first.redirect_chain[-1][1] == 302
    assert messages_of(first) == ["Frein levé."]
    second = client.post(url("lever-lift", project, pk=lever.pk), follow=True)
    assert second.status_code == 200
    assert [m.lower() for m in messages_of(second)] == ["déjà levé."]
    assert "Déjà levé." in second.content.decode()
    lever.refresh_from_db()
    assert lever.status == BlockerLever.Status.LIFTED


def test_open_blockers_come_first_with_a_lift_button(client, project, lab_staff):
    lifted = BlockerLeverFactory(project=project, status="lifted", text="Levé depuis longtemps")
    still_open = BlockerLeverFactory(project=project, text="Toujours ouvert")
    response = as_user(client, lab_staff).get(project.get_absolute_url())
    assert response.context["levers"] == [still_open, lifted]
    html = response.content.decode()
    assert url("lever-lift", project, pk=still_open.pk) in html
    assert url("lever-lift", project, pk=lifted.pk) not in html


def test_a_lever_of_another_project_is_404(client, project, lab_staff):
    other = BlockerLeverFactory()
    response = as_user(client, lab_staff).post(url("lever-lift", project, pk=other.pk))
    assert response.status_code == 404


def test_an_agent_outside_the_team_may_not_lift_a_lever(client, project, agent_a):
    lever = BlockerLeverFactory(project=project)
    assert as_user(client, agent_a).post(url("lever-lift", project, pk=lever.pk)).status_code == 403


# --- prototypes, experiments, events ---------------------------------------------------------


def test_the_team_records_a_prototype_an_experiment_and_an_event(
    client, project, lab_staff, caf_a, caf_b
):
    as_user(client, lab_staff)
    assert (
        client.post(
            url("prototype-add", project),
            {
                "prototype-kind": "clickable",
                "prototype-version": "2",
                "prototype-users_tested": "12",
                "prototype-findings": "Le parcours est compris sans aide.",
            },
        ).status_code
        == 302
    )
    assert (
        client.post(
            url("experiment-add", project),
            {
                "experimentation-title": "Pilote en Isère et dans le Rhône",
                "experimentation-cafs": [caf_a.pk, caf_b.pk],
                "experimentation-status": "running",
                "experimentation-population_reached": "350",
            },
        ).status_code
        == 302
    )
    assert (
        client.post(
            url("event-add", project),
            {
                "evenement-occurred_on": "2026-05-01",
                "evenement-kind": "launch",
                "evenement-title": "Lancement officiel",
            },
        ).status_code
        == 302
    )
    experiment = Experiment.objects.get()
    assert set(experiment.cafs.all()) == {caf_a, caf_b}
    assert experiment.population_reached == 350
    html = client.get(project.get_absolute_url()).content.decode()
    assert "Prototype cliquable, version 2" in html
    assert "Pilote en Isère et dans le Rhône" in html
    assert "Lancement\u00a0: Lancement officiel" in html


def test_an_experiment_ending_before_it_starts_is_refused_with_the_typed_values(
    client, project, lab_staff
):
    response = as_user(client, lab_staff).post(
        url("experiment-add", project),
        {
            "experimentation-title": "Test à l'envers",
            "experimentation-starts_on": "2026-06-01",
            "experimentation-ends_on": "2026-05-01",
            "experimentation-status": "planned",
            "experimentation-population_reached": "0",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "La fin doit suivre le début." in html
    assert "Test à l&#x27;envers" in html
    assert not Experiment.objects.exists()


# --- follow ----------------------------------------------------------------------------------


def test_an_agent_follows_then_unfollows_a_project(client, project, agent_a):
    as_user(client, agent_a)
    response = client.post(url("follow", project), {"action": "follow"})
    assert response.status_code == 302
    assert response["Location"] == project.get_absolute_url()
    assert is_following(user=agent_a, obj=project)
    assert "Ne plus suivre" in client.get(project.get_absolute_url()).content.decode()
    client.post(url("follow", project), {"action": "unfollow"})
    assert not is_following(user=agent_a, obj=project)


def test_following_twice_keeps_following(client, project, agent_a):
    as_user(client, agent_a)
    client.post(url("follow", project), {"action": "follow"})
    client.post(url("follow", project), {"action": "follow"})
    assert is_following(user=agent_a, obj=project)


def test_a_citizen_cannot_follow_a_project_they_do_not_see(client, project, citizen):
    assert as_user(client, citizen).post(url("follow", project)).status_code == 404


def test_follow_answers_get_with_405(client, project, agent_a):
    assert as_user(client, agent_a).get(url("follow", project)).status_code == 405


# --- team ------------------------------------------------------------------------------------


def test_the_team_page_lists_members_with_their_roles_to_the_network(
    client, project, agent_a, agent_b
):
    TeamMember.objects.create(project=project, user=agent_a, role=TeamMember.Role.EXPERT)
    response = as_user(client, agent_b).get(url("team", project))
    assert response.status_code == 200
    html = response.content.decode()
    assert [m.get_role_display() for m in response.context["members"]] == ["Porteur", "Expert"]
    assert str(agent_a) in html
    assert "form" not in response.context  # agent_b is not in the team: no editing
    assert "retirer" not in html
    assert html.count("<h1") == 1


def test_a_team_member_may_edit_the_team(client, project, agent_a):
    TeamMember.objects.create(project=project, user=agent_a, role=TeamMember.Role.EXPERT)
    response = as_user(client, agent_a).get(url("team", project))
    assert "form" in response.context
    assert response.context["members"][1].is_removable
    assert not response.context["members"][0].is_removable  # the lead


def test_an_editor_adds_a_member_and_removes_them(client, project, lab_staff, agent_b):
    as_user(client, lab_staff)
    response = client.post(
        url("team", project),
        {"membre-user": agent_b.email, "membre-role": "facilitator"},
        follow=True,
    )
    assert response.redirect_chain == [(url("team", project), 302)]
    member = project.team_members.get(user=agent_b)
    assert member.role == TeamMember.Role.FACILITATOR
    client.post(url("team", project), {"retirer": member.pk}, follow=True)
    assert not project.team_members.filter(user=agent_b).exists()
    again = client.post(url("team", project), {"retirer": member.pk}, follow=True)
    assert messages_of(again) == ["Cette personne ne fait déjà plus partie de l’équipe."]


def test_the_lead_cannot_be_removed_from_the_team(client, project, lab_staff):
    lead = project.team_members.get(user=lab_staff)
    response = as_user(client, lab_staff).post(url("team", project), {"retirer": lead.pk})
    assert response.status_code == 302
    assert project.team_members.filter(pk=lead.pk).exists()


def test_a_citizen_cannot_be_added_to_the_team(client, project, lab_staff, citizen):
    response = as_user(client, lab_staff).post(
        url("team", project), {"membre-user": citizen.email, "membre-role": "member"}
    )
    assert response.status_code == 200
    assert "user" in response.context["form"].errors
    assert not project.team_members.filter(user=citizen).exists()


def test_an_agent_outside_the_team_cannot_change_the_team(client, project, agent_b):
    response = as_user(client, agent_b).post(
        url("team", project), {"membre-user": agent_b.email, "membre-role": "member"}
    )
    assert response.status_code == 403
    assert not project.team_members.filter(user=agent_b).exists()
