"""The kit's pages: the panels on the project, initiative and gate review pages, adding a
document and a version through the forms (errors in French, what was typed kept), downloads
scoped by the holder's visibility (another Caf's private project: 404), the checklist, the
fiche d'essaimage and its PDF. Query counts pinned at two data sizes."""

import pytest
from django.urls import reverse

from kits.models import Document, ReplicationGuide
from kits.services.documents import document_add, document_version_add
from kits.services.guides import guide_save
from projects.models import Stage
from tests.criees.factories import InitiativeFactory
from tests.kits.factories import PDF, experimentation_kit, pdf
from tests.projects.factories import GateReviewFactory, ProjectFactory
from tests.queries import assert_flat_query_count

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path / "private-media")


@pytest.fixture
def project(lead, caf_a):
    return ProjectFactory(lead=lead, pilot_caf=caf_a, stage=Stage.PROTOTYPE)


def _add_documents(holder, by):
    counter = {"n": Document.objects.count()}

    def add(n: int) -> None:
        for _ in range(n):
            counter["n"] += 1
            document = document_add(
                holder=holder, kind="other", title=f"Doc {counter['n']}", upload=pdf(), by=by
            )
            document_version_add(document=document, upload=pdf(content=PDF + b"2"), by=by)

    return add


def test_the_project_page_shows_the_next_gate_kit_and_what_is_missing(client, lead, project):
    experimentation_kit()
    client.force_login(lead)
    page = client.get(project.get_absolute_url()).content.decode()
    assert "Ce qu’attend la revue vers «\u00a0Expérimentation\u00a0»" in page
    assert "1 livrable bloquant manque\u00a0: un «\u00a0go\u00a0» sera refusé." in page
    assert reverse("kits:project-document-add", kwargs={"code": project.code}) in page


def test_a_team_member_adds_a_document_then_a_version(client, lead, project):
    client.force_login(lead)
    url = reverse("kits:project-document-add", kwargs={"code": project.code})
    response = client.post(
        url, {"kind": "test_protocol", "title": "Protocole", "file": pdf()}, follow=True
    )
    document = Document.objects.get()
    assert response.redirect_chain[-1][0] == document.get_absolute_url()
    assert "Le document est ajouté (version 1)." in response.content.decode()
    version_url = reverse("kits:version-add", kwargs={"pk": document.pk})
    response = client.post(
        version_url, {"version-file": pdf(content=PDF + b"v2"), "version-note": "Relu"}
    )
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.n_versions == 2
    page = client.get(document.get_absolute_url()).content.decode()
    assert "actuelle" in page
    assert "Relu" in page


def test_a_bad_file_keeps_what_was_typed_with_a_french_error(client, lead, project):
    client.force_login(lead)
    url = reverse("kits:project-document-add", kwargs={"code": project.code})
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        url,
        {
            "kind": "business_case",
            "title": "Étude d’opportunité",
            "file": SimpleUploadedFile("etude.pdf", b"MZ pas un pdf"),
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Le contenu du fichier ne correspond pas à son extension (.pdf)." in page
    assert 'value="Étude d’opportunité"' in page
    assert not Document.objects.exists()


def test_a_document_of_another_cafs_private_project_is_404(client, agent_b, lead, caf_a):
    private = ProjectFactory(lead=lead, pilot_caf=caf_a, is_draft=True)
    document = document_add(holder=private, kind="other", title="Interne", upload=pdf(), by=lead)
    client.force_login(agent_b)
    assert client.get(document.get_absolute_url()).status_code == 404
    version = reverse("kits:version", kwargs={"pk": document.latest_version_id})
    assert client.get(version).status_code == 404
    client.force_login(lead)
    download = client.get(version)
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert b"".join(download.streaming_content) == PDF


def test_an_agent_of_another_caf_reads_but_cannot_add(client, agent_b, project):
    client.force_login(agent_b)
    url = reverse("kits:project-document-add", kwargs={"code": project.code})
    assert client.get(url).status_code == 403
    assert client.post(url, {"kind": "other", "title": "X", "file": pdf()}).status_code == 403


def test_the_team_ticks_a_checklist_item(client, lead, project):
    kit = experimentation_kit()
    item = kit.deliverables.get(document_kind="")
    client.force_login(lead)
    url = reverse("kits:deliverable-check", kwargs={"code": project.code, "pk": item.pk})
    response = client.post(url, {"action": "check"}, follow=True)
    assert "Le point est coché." in response.content.decode()
    response = client.post(url, {"action": "check"}, follow=True)
    assert "C’est déjà fait\u00a0: ce point est déjà coché." in response.content.decode()


def test_the_gate_review_page_shows_the_deliverables(client, lab_staff, project):
    experimentation_kit()
    review = GateReviewFactory(project=project)
    client.force_login(lab_staff)
    page = client.get(
        reverse("projects:gate-review", kwargs={"code": project.code, "pk": review.pk})
    ).content.decode()
    assert "Livrables attendus vers «\u00a0Expérimentation\u00a0»" in page
    assert "livrables bloquants manquants pour l’étape «\u00a0Expérimentation\u00a0»" in page


def test_a_caf_reads_the_fiche_of_a_promoted_initiative_from_its_page(
    client, agent_b, lab_staff, caf_a
):
    project = ProjectFactory(lead=lab_staff, stage=Stage.ESSAIMAGE)
    initiative = InitiativeFactory(caf=caf_a, project=project)
    guide_save(holder=initiative, by=lab_staff, fields={"cost": "Deux agents à mi-temps."})
    client.force_login(agent_b)
    page = client.get(initiative.get_absolute_url()).content.decode()
    guide_url = reverse("kits:initiative-guide", kwargs={"pk": initiative.pk})
    assert guide_url in page
    assert "Deux agents à mi-temps." in client.get(guide_url).content.decode()
    response = client.get(reverse("kits:initiative-guide-pdf", kwargs={"pk": initiative.pk}))
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    # No fiche before essaimage or promotion.
    other = InitiativeFactory(caf=caf_a)
    assert client.get(reverse("kits:initiative-guide", kwargs={"pk": other.pk})).status_code == 404


def test_the_team_writes_the_fiche(client, lead, caf_a):
    project = ProjectFactory(lead=lead, pilot_caf=caf_a, stage=Stage.ESSAIMAGE)
    client.force_login(lead)
    url = reverse("kits:project-guide-update", kwargs={"code": project.code})
    response = client.post(url, {"prerequisites": "Un référent local.", "cost": "2 000 €"})
    assert response.status_code == 302
    assert ReplicationGuide.objects.get(project=project).cost == "2 000 €"


def test_the_project_page_costs_the_same_whatever_its_documents(client, lead, project):
    experimentation_kit()
    client.force_login(lead)
    assert_flat_query_count(
        client, project.get_absolute_url(), _add_documents(project, lead), expected=PROJECT_PAGE
    )


def test_the_initiative_page_costs_the_same_whatever_its_documents(client, agent_a, caf_a):
    initiative = InitiativeFactory(caf=caf_a, created_by=agent_a)
    client.force_login(agent_a)
    assert_flat_query_count(
        client,
        initiative.get_absolute_url(),
        _add_documents(initiative, agent_a),
        expected=INITIATIVE_PAGE,
    )


def test_a_document_page_costs_the_same_whatever_its_versions(client, lead, project):
    document = document_add(holder=project, kind="other", title="Doc", upload=pdf(), by=lead)
    client.force_login(lead)
    counter = {"n": 0}

    def add(n: int) -> None:
        for _ in range(n):
            counter["n"] += 1
            content = PDF + str(counter["n"]).encode()
            document_version_add(document=document, upload=pdf(content=content), by=lead)

    assert_flat_query_count(client, document.get_absolute_url(), add, expected=DOCUMENT_PAGE)


def test_the_fiche_page_costs_the_same_whatever_its_documents(client, lead, caf_a):
    project = ProjectFactory(lead=lead, pilot_caf=caf_a, stage=Stage.ESSAIMAGE)
    client.force_login(lead)
    add_documents = _add_documents(project, lead)

    def add(n: int) -> None:
        add_documents(n)
        guide_save(
            holder=project,
            by=lead,
            fields={"cost": "2 000 €"},
            documents=list(Document.objects.filter(project=project)),
        )

    url = reverse("kits:project-guide", kwargs={"code": project.code})
    assert_flat_query_count(client, url, add, expected=GUIDE_PAGE)


# Pinned: the pages' query counts with 3 and 30 documents (or versions).
PROJECT_PAGE = 19
INITIATIVE_PAGE = 15
DOCUMENT_PAGE = 7
GUIDE_PAGE = 7
