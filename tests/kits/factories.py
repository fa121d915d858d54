"""Factories and helpers of the kit's tests: a PDF upload, a stage kit with its deliverables."""

from django.core.files.uploadedfile import SimpleUploadedFile

from kits.models import Deliverable, DocumentKind, StageKit

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n"


def pdf(name: str = "protocole.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def experimentation_kit(*, blocking: bool = True) -> StageKit:
    """The kit of the gate into "experimentation": a test protocol (blocking), a prototype
    brief (not blocking) and a checklist item (not blocking)."""
    kit, _created = StageKit.objects.get_or_create(stage="experimentation")
    Deliverable.objects.create(
        kit=kit,
        label="Protocole de test",
        document_kind=DocumentKind.TEST_PROTOCOL,
        is_blocking=blocking,
        position=1,
    )
    Deliverable.objects.create(
        kit=kit, label="Fiche de prototype", document_kind=DocumentKind.PROTOTYPE_BRIEF, position=2
    )
    Deliverable.objects.create(kit=kit, label="Usagers recrutés pour les tests", position=3)
    return kit
