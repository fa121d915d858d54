"""Partners work on the incubated projects of their organisation (issue 14): status reports,
blockers and levers (raised and escalated), prototypes, documents and their versions; they read
the project's evaluation. A partner of a project on another track, or of another project, is
refused with a French reason, by the services and by the pages."""

import pytest
from django.urls import reverse

from kits.models import Document
from kits.services.documents import document_add, document_version_add
from projects.models import BlockerLever, Prototype, StatusReport, Track
from projects.services import (
    PartnerRefused,
    lever_add,
    lever_escalate,
    prototype_add,
    status_report_add,
)
from tests.kits.factories import PDF, pdf
from tests.network.factories import PartnerFactory
from tests.projects.factories import BlockerLeverFactory, ProjectFactory

pytestmark = pytest.mark.django_db

NOT_PARTNER = "Votre organisation n’est pas partenaire de ce projet."
NOT_INCUBATED = "Ce projet n’est pas suivi par l’incubateur"


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path / "private-media")


@pytest.fixture
def lab_project(lab_staff, partner_org):
    """A national lab project that `partner_org` is a partner of (not incubated)."""
    project = ProjectFactory(lead=lab_staff, track=Track.NATIONAL_LAB)
    project.partners.add(partner_org)
    return project


@pytest.fixture
def other_incubated(lab_staff):
    """An incubated project of another organisation."""
    project = ProjectFactory(lead=lab_staff, track=Track.LOCAL_INCUBATOR)
    project.partners.add(PartnerFactory())
    return project


# --- services: what a partner may do on their incubated project ------------------------------


def test_a_partner_posts_a_status_report_and_sets_the_projects_health(
    partner_user, incubated_project
):
    report = status_report_add(
        project=incubated_project, by=partner_user, health="amber", summary="Local à trouver."
    )
    incubated_project.refresh_from_db()
    assert report.author == partner_user
    assert incubated_project.health == "amber"


def test_a_partner_raises_a_blocker_they_carry(partner_user, incubated_project):
    blocker = lever_add(
        project=incubated_project, by=partner_user, kind="blocker", text="Pas de salle."
    )
    assert (blocker.kind, blocker.owner) == ("blocker", partner_user)


def test_a_partner_escalates_a_blocker_to_the_direction(partner_user, incubated_project):
    blocker = BlockerLeverFactory(project=incubated_project)
    escalated = lever_escalate(lever=blocker, by=partner_user)
    assert escalated.escalated_by == partner_user
    assert escalated.escalated_on is not None


def test_a_partner_adds_a_prototype(partner_user, incubated_project):
    prototype = prototype_add(
        project=incubated_project, by=partner_user, kind=Prototype.Kind.PAPER, version="1"
    )
    assert prototype.project == incubated_project


def test_a_partner_uploads_a_document_and_a_new_version(partner_user, incubated_project):
    document = document_add(
        holder=incubated_project,
        kind="prototype_brief",
        title="Fiche du jardin",
        upload=pdf(),
        by=partner_user,
    )
    version = document_version_add(
        document=document, upload=pdf(content=PDF + b"v2"), by=partner_user
    )
    assert (document.created_by, version.number, version.uploaded_by) == (
        partner_user,
        2,
        partner_user,
    )


# --- services: refused, with the reason -------------------------------------------------------


@pytest.mark.parametrize(
    ("project_name", "reason"),
    [("lab_project", NOT_INCUBATED), ("other_incubated", NOT_PARTNER)],
)
def test_a_partner_is_refused_elsewhere_with_a_french_reason(
    request, partner_user, project_name, reason
):
    project = request.getfixturevalue(project_name)
    blocker = BlockerLeverFactory(project=project)
    attempts = [
        lambda: status_report_add(project=project, by=partner_user, health="red", summary="x"),
        lambda: lever_add(project=project, by=partner_user, kind="blocker", text="x"),
        lambda: lever_escalate(lever=blocker, by=partner_user),
        lambda: prototype_add(project=project, by=partner_user, kind="paper"),
        lambda: document_add(
            holder=project, kind="other", title="Note", upload=pdf(), by=partner_user
        ),
    ]
    for attempt in attempts:
        with pytest.raises(PartnerRefused) as refused:
            attempt()
        assert reason in str(refused.value)
    assert not StatusReport.objects.filter(project=project).exists()
    assert not Prototype.objects.filter(project=project).exists()
    assert not Document.objects.filter(project=project).exists()
    assert BlockerLever.objects.filter(project=project).count() == 1
    blocker.refresh_from_db()
    assert blocker.escalated_on is None


def test_a_new_version_of_a_document_elsewhere_is_refused(partner_user, lab_project, lab_staff):
    document = document_add(
        holder=lab_project, kind="other", title="Note", upload=pdf(), by=lab_staff
    )
    with pytest.raises(PartnerRefused, match=NOT_INCUBATED):
        document_version_add(document=document, upload=pdf(content=PDF + b"v2"), by=partner_user)


def test_the_team_is_never_asked_about_partners(lab_project, lab_staff):
    report = status_report_add(project=lab_project, by=lab_staff, health="green", summary="Ok")
    assert report.pk


# --- the project's page -----------------------------------------------------------------------


def test_the_partner_sees_the_follow_up_forms_but_not_the_editors_ones(
    client, partner_user, incubated_project
):
    client.force_login(partner_user)
    response = client.get(incubated_project.get_absolute_url())
    html = response.content.decode()
    code = incubated_project.code

    def url(name: str) -> str:
        return reverse(name, kwargs={"code": code})

    for name in ("projects:status-report-add", "projects:lever-add", "projects:prototype-add"):
        assert url(name) in html, name
    assert url("kits:project-document-add") in html
    for name in (
        "projects:update",
        "projects:gate-request",
        "projects:experiment-add",
        "projects:event-add",
    ):
        assert url(name) not in html, name
    # The project's evaluation is theirs to read.
    assert 'id="titre-evaluation"' in html
    assert reverse("evaluation:plan", kwargs={"code": code}) in html or "Pas encore de plan" in html


def test_the_partner_sees_no_form_on_a_project_of_another_track(client, partner_user, lab_project):
    client.force_login(partner_user)
    html = client.get(lab_project.get_absolute_url()).content.decode()
    assert reverse("projects:status-report-add", kwargs={"code": lab_project.code}) not in html
    assert reverse("kits:project-document-add", kwargs={"code": lab_project.code}) not in html


def test_the_partner_posts_a_status_report_from_the_page(client, partner_user, incubated_project):
    client.force_login(partner_user)
    response = client.post(
        reverse("projects:status-report-add", kwargs={"code": incubated_project.code}),
        {
            "point-reported_on": "2026-03-02",
            "point-health": "green",
            "point-summary": "Quinze familles rencontrées.",
        },
    )
    assert response.status_code == 302
    assert StatusReport.objects.get(project=incubated_project).author == partner_user


def test_the_partner_escalates_a_blocker_from_the_page(client, partner_user, incubated_project):
    blocker = BlockerLeverFactory(project=incubated_project)
    client.force_login(partner_user)
    response = client.post(
        reverse(
            "projects:lever-escalate", kwargs={"code": incubated_project.code, "pk": blocker.pk}
        )
    )
    assert response.status_code == 302
    blocker.refresh_from_db()
    assert blocker.escalated_by == partner_user


def test_a_refused_post_on_another_track_is_403(client, partner_user, lab_project):
    client.force_login(partner_user)
    response = client.post(
        reverse("projects:status-report-add", kwargs={"code": lab_project.code}),
        {"point-health": "green", "point-summary": "x", "point-reported_on": "2026-03-02"},
    )
    assert response.status_code == 403
    assert not StatusReport.objects.filter(project=lab_project).exists()


def test_the_partners_portfolio_lists_only_their_projects(
    client, partner_user, incubated_project, other_incubated
):
    client.force_login(partner_user)
    html = client.get(reverse("projects:index")).content.decode()
    assert incubated_project.title in html
    assert other_incubated.title not in html
