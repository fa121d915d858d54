"""The kit's flows: documents and their versions (checked uploads, numbering, "already done"),
the checklist, the "go" blocker at a gate review (refused, then passing once the deliverable is
uploaded; a written justification passes over it), the fiche d'essaimage and its PDF."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from caflab.core import errors
from kits.models import Deliverable, Document, DocumentVersion, ReplicationGuide
from kits.services.deliverables import (
    deliverable_check,
    gate_target,
    kit_status,
    missing_blocking_deliverables,
)
from kits.services.documents import document_add, document_version_add
from kits.services.guides import guide_pdf, guide_save, has_guide
from projects.models import GateReview, Stage
from projects.services import gate_decide
from tests.criees.factories import InitiativeFactory
from tests.kits.factories import PDF, experimentation_kit, pdf
from tests.projects.factories import GateReviewFactory, ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path / "private-media")


@pytest.fixture
def project(lab_staff, caf_a):
    return ProjectFactory(lead=lab_staff, pilot_caf=caf_a, stage=Stage.PROTOTYPE)


def test_a_document_is_stored_privately_with_its_first_version(project, lab_staff):
    document = document_add(
        holder=project, kind="test_protocol", title="Protocole", upload=pdf(), by=lab_staff
    )
    version = document.latest_version
    assert (document.n_versions, version.number) == (1, 1)
    assert version.name == "protocole.pdf"
    assert version.content_type == "application/pdf"
    assert version.file.name.startswith("kits/")
    assert "protocole" not in version.file.name
    assert version.file.read() == PDF


def test_a_new_upload_is_the_next_version_and_the_older_ones_are_kept(project, lab_staff):
    document = document_add(
        holder=project, kind="test_protocol", title="Protocole", upload=pdf(), by=lab_staff
    )
    second = document_version_add(
        document=document, upload=pdf(content=PDF + b"v2"), by=lab_staff, note="Après atelier"
    )
    document.refresh_from_db()
    assert second.number == 2
    assert document.latest_version == second
    assert document.n_versions == 2
    assert list(document.versions.values_list("number", flat=True)) == [2, 1]


def test_the_same_file_sent_again_is_already_done(project, lab_staff):
    document = document_add(
        holder=project, kind="test_protocol", title="Protocole", upload=pdf(), by=lab_staff
    )
    with pytest.raises(errors.AlreadyDone):
        document_version_add(document=document, upload=pdf(), by=lab_staff)
    assert DocumentVersion.objects.count() == 1


def test_a_second_document_of_the_same_title_and_kind_is_refused(project, lab_staff):
    document_add(
        holder=project, kind="test_protocol", title="Protocole", upload=pdf(), by=lab_staff
    )
    with pytest.raises(errors.AlreadyDone, match="nouvelle version"):
        document_add(
            holder=project, kind="test_protocol", title="protocole", upload=pdf(), by=lab_staff
        )
    assert Document.objects.count() == 1


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("virus.exe", b"MZ\x90\x00", "extension"),
        ("faux.pdf", b"MZ\x90\x00 pas un pdf", "content"),
        ("vide.pdf", b"", "empty"),
    ],
)
def test_uploads_are_checked_as_everywhere(project, lab_staff, name, content, code):
    upload = SimpleUploadedFile(name, content)
    with pytest.raises(ValidationError) as refused:
        document_add(holder=project, kind="other", title="Fichier", upload=upload, by=lab_staff)
    assert refused.value.code == code
    assert not Document.objects.exists()


def test_an_upload_over_the_size_limit_is_refused(project, lab_staff, settings):
    from kits.services import documents

    big = SimpleUploadedFile("gros.pdf", PDF + b"0" * (documents.MAX_UPLOAD_BYTES + 1))
    with pytest.raises(ValidationError) as refused:
        document_add(holder=project, kind="other", title="Gros", upload=big, by=lab_staff)
    assert refused.value.code == "size"


def test_documents_are_seen_by_whoever_sees_their_holder(
    lab_staff, agent_a, agent_b, citizen, caf_a, caf_b
):
    public = ProjectFactory(lead=lab_staff)
    draft = ProjectFactory(lead=lab_staff, is_draft=True)
    own_draft_initiative = InitiativeFactory(caf=caf_b, status="draft")
    for holder in (public, draft, own_draft_initiative):
        document_add(holder=holder, kind="other", title="Doc", upload=pdf(), by=lab_staff)
    visible = {
        user: set(Document.objects.visible_to(user).values_list("title", "project", "initiative"))
        for user in (agent_a, agent_b, citizen)
    }
    assert visible[agent_a] == {("Doc", public.pk, None)}
    assert visible[agent_b] == {("Doc", public.pk, None), ("Doc", None, own_draft_initiative.pk)}
    assert visible[citizen] == set()
    assert Document.objects.visible_to(lab_staff).count() == 3


def test_the_next_gate_is_the_open_review_target_or_the_next_stage(project):
    assert gate_target(project) == Stage.EXPERIMENTATION
    GateReviewFactory(project=project, to_stage=Stage.ESSAIMAGE)
    project.refresh_from_db()
    assert gate_target(project) == Stage.ESSAIMAGE


def test_the_kit_says_what_is_there_and_what_is_missing(project, lab_staff):
    experimentation_kit()
    rows = kit_status(project, Stage.EXPERIMENTATION)
    assert [(r.deliverable.label, r.is_met) for r in rows] == [
        ("Protocole de test", False),
        ("Fiche de prototype", False),
        ("Usagers recrutés pour les tests", False),
    ]
    document_add(holder=project, kind="prototype_brief", title="Fiche", upload=pdf(), by=lab_staff)
    checklist = Deliverable.objects.get(document_kind="")
    deliverable_check(project=project, deliverable=checklist, by=lab_staff, checked=True)
    rows = kit_status(project, Stage.EXPERIMENTATION)
    assert [r.is_met for r in rows] == [False, True, True]
    assert missing_blocking_deliverables(project) == [
        "livrables bloquants manquants pour l’étape "
        "«\u00a0Expérimentation\u00a0»\u00a0: Protocole de test"
    ]


def test_ticking_twice_is_already_done_and_a_document_cannot_be_ticked(project, lab_staff):
    experimentation_kit()
    checklist = Deliverable.objects.get(document_kind="")
    deliverable_check(project=project, deliverable=checklist, by=lab_staff, checked=True)
    with pytest.raises(errors.AlreadyDone):
        deliverable_check(project=project, deliverable=checklist, by=lab_staff, checked=True)
    deliverable_check(project=project, deliverable=checklist, by=lab_staff, checked=False)
    with pytest.raises(errors.AlreadyDone):
        deliverable_check(project=project, deliverable=checklist, by=lab_staff, checked=False)
    protocol = Deliverable.objects.get(document_kind="test_protocol")
    with pytest.raises(errors.InvalidState):
        deliverable_check(project=project, deliverable=protocol, by=lab_staff, checked=True)


def test_a_missing_blocking_deliverable_refuses_a_go_then_the_go_passes_once_uploaded(
    project, lab_staff
):
    experimentation_kit()
    review = GateReviewFactory(project=project)
    with pytest.raises(errors.InvalidState) as refused:
        gate_decide(review=review, by=lab_staff, decision="go", rationale="Prêt.")
    assert (
        "livrables bloquants manquants pour l’étape "
        "«\u00a0Expérimentation\u00a0»\u00a0: Protocole de test" in str(refused.value)
    )
    project.refresh_from_db()
    assert project.stage == Stage.PROTOTYPE

    document_add(
        holder=project, kind="test_protocol", title="Protocole", upload=pdf(), by=lab_staff
    )
    gate_decide(review=review, by=lab_staff, decision="go", rationale="Prêt.")
    project.refresh_from_db()
    assert project.stage == Stage.EXPERIMENTATION


def test_a_written_justification_passes_over_a_missing_deliverable(project, lab_staff):
    """The registered check goes through the gate's one override: the lab may give a go with
    a written justification, kept on the review."""
    experimentation_kit()
    review = GateReviewFactory(project=project)
    gate_decide(
        review=review,
        by=lab_staff,
        decision="go",
        rationale="Prêt.",
        override_justification="Le protocole est celui de la Caf pilote, déjà validé.",
    )
    review.refresh_from_db()
    assert review.status == GateReview.Status.DECIDED
    assert review.override_justification.startswith("Le protocole")


def test_a_recycle_is_never_blocked(project, lab_staff):
    experimentation_kit()
    review = GateReviewFactory(project=project)
    gate_decide(review=review, by=lab_staff, decision="recycle", rationale="À reprendre.")
    review.refresh_from_db()
    assert review.decision == "recycle"


def test_an_inactive_or_non_blocking_kit_blocks_nothing(project):
    kit = experimentation_kit(blocking=False)
    assert missing_blocking_deliverables(project) == []
    Deliverable.objects.filter(kit=kit).update(is_blocking=True)
    kit.is_active = False
    kit.save()
    assert missing_blocking_deliverables(project) == []


def test_the_fiche_opens_at_essaimage_and_for_a_promoted_initiative(lab_staff, project):
    assert not has_guide(project)
    with pytest.raises(errors.InvalidState):
        guide_save(holder=project, by=lab_staff, fields={"cost": "Rien"})
    project.stage = Stage.ESSAIMAGE
    assert has_guide(project)
    initiative = InitiativeFactory()
    assert not has_guide(initiative)
    initiative.project = project
    assert has_guide(initiative)


def test_the_fiche_is_written_once_per_holder_and_links_its_own_documents(lab_staff):
    project = ProjectFactory(lead=lab_staff, stage=Stage.ESSAIMAGE)
    other = ProjectFactory(lead=lab_staff, stage=Stage.ESSAIMAGE)
    own = document_add(
        holder=project, kind="replication_guide", title="Guide", upload=pdf(), by=lab_staff
    )
    foreign = document_add(holder=other, kind="other", title="Autre", upload=pdf(), by=lab_staff)
    fields = {"prerequisites": "Un agent d'accueil formé.", "cost": "2 000 €"}
    guide_save(holder=project, by=lab_staff, fields=fields, documents=[own])
    guide = guide_save(holder=project, by=lab_staff, fields={**fields, "cost": "3 000 €"})
    assert ReplicationGuide.objects.count() == 1
    assert guide.cost == "3 000 €"
    assert list(guide.documents.all()) == []
    with pytest.raises(errors.InvalidState):
        guide_save(holder=project, by=lab_staff, fields=fields, documents=[foreign])


def test_the_fiche_prints_as_a_pdf_with_its_identity_on_the_first_page(lab_staff):
    from io import BytesIO

    from pypdf import PdfReader

    project = ProjectFactory(lead=lab_staff, stage=Stage.ESSAIMAGE, title="Accueil sans attente")
    guide = guide_save(
        holder=project,
        by=lab_staff,
        fields={"prerequisites": "Un agent d'accueil formé.", "not_adaptable": "L'accueil."},
    )
    data = guide_pdf(guide, project)
    assert data.startswith(b"%PDF-")
    first_page = PdfReader(BytesIO(data)).pages[0].extract_text()
    assert "Accueil sans attente" in first_page
    assert project.code in first_page
    assert "Imprimée le" in first_page
