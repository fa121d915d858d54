"""Demo data of the kit, through the real services: the kits of the stages (deliverables,
blocking or not, a template to download), documents with versions on a project at the
prototype stage (its blocking test protocol still missing: a "go" to experimentation is
refused), a fiche d'essaimage on a project at the essaimage stage and on the initiative the
criées promoted into the portfolio."""

from typing import TextIO

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from caflab.accounts.models import User
from criees.models import Initiative
from kits.models import Deliverable, DocumentKind, StageKit
from kits.services.deliverables import deliverable_check
from kits.services.documents import document_add, document_version_add
from kits.services.guides import guide_save
from projects.models import Project, Stage

LAB = "labo@caflab.demo"

# stage -> [(label, document kind or "" for a checklist item, blocking, with a template)]
KITS = {
    Stage.PROTOTYPE: [
        ("Compte rendu de la séance de créativité", DocumentKind.OTHER, False, False),
        ("Usagers associés à la conception identifiés", "", True, False),
    ],
    Stage.EXPERIMENTATION: [
        ("Fiche de prototype", DocumentKind.PROTOTYPE_BRIEF, True, True),
        ("Protocole de test avec les usagers", DocumentKind.TEST_PROTOCOL, True, True),
        ("Caf pilote volontaire et équipe locale désignée", "", True, False),
        ("Avis du délégué à la protection des données", "", False, False),
    ],
    Stage.ESSAIMAGE: [
        ("Résultats des tests utilisateurs", DocumentKind.USER_TEST_RESULTS, True, False),
        ("Étude d’opportunité", DocumentKind.BUSINESS_CASE, True, True),
        ("Guide d’essaimage", DocumentKind.REPLICATION_GUIDE, False, True),
    ],
    Stage.GENERALISED: [
        ("Support de formation des agents", DocumentKind.TRAINING_MATERIAL, True, False),
        ("Bilan de l’essaimage dans trois Caf au moins", "", True, False),
    ],
}


def _pdf(title: str) -> bytes:
    """A small valid PDF whose text is `title` (the demo's files open in a reader)."""
    text = title.encode("latin-1", "replace").replace(b"(", b"[").replace(b")", b"]")
    stream = b"BT /F1 14 Tf 72 770 Td (" + text + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += (
        f"trailer << /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return bytes(out)


def _upload(name: str, title: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, _pdf(title), content_type="application/pdf")


def _kits() -> None:
    for stage, deliverables in KITS.items():
        kit = StageKit.objects.create(stage=stage)
        for position, (label, kind, blocking, template) in enumerate(deliverables, start=1):
            deliverable = Deliverable(
                kit=kit, label=label, document_kind=kind, is_blocking=blocking, position=position
            )
            if template:
                deliverable.template_name = f"modele-{position}.pdf"
                deliverable.template.save(
                    deliverable.template_name, ContentFile(_pdf(f"Modèle : {label}")), save=False
                )
            deliverable.save()


def _prototype_documents(project: Project, lab: User) -> None:
    """A project at the prototype stage: its brief in two versions, the checklist ticked, its
    blocking test protocol still missing."""
    brief = document_add(
        holder=project,
        kind=DocumentKind.PROTOTYPE_BRIEF,
        title="Fiche de prototype",
        description="Le parcours testé, les écrans et les messages.",
        upload=_upload("fiche-prototype.pdf", f"Fiche de prototype : {project.title}"),
        by=project.lead,
    )
    document_version_add(
        document=brief,
        upload=_upload("fiche-prototype-v2.pdf", f"Fiche de prototype v2 : {project.title}"),
        by=project.lead,
        note="Après le premier atelier avec les usagers.",
    )
    checklist = Deliverable.objects.for_gate(Stage.EXPERIMENTATION).filter(document_kind="")
    deliverable_check(project=project, deliverable=checklist.first(), by=lab, checked=True)


GUIDE = {
    "summary": "Un dispositif éprouvé dans la Caf pilote, prêt à être repris avec peu d’adaptations.",
    "prerequisites": "Un référent local désigné, l’accord de la direction de la Caf, un accès aux outils de prise de rendez-vous.",
    "cost": "Environ 4 000 € la première année (formation, supports imprimés) ; pas de développement informatique.",
    "duration": "Trois mois de mise en place, puis une demi-journée par semaine de suivi.",
    "team": "Un chef de projet (20 % de son temps), deux agents d’accueil formés, le correspondant innovation.",
    "adaptable": "Les horaires, les canaux de contact, les partenaires associés localement.",
    "not_adaptable": "Le parcours de l’usager et la charte d’accueil : ils ont été testés tels quels.",
    "contacts": "L’équipe du CafLab (labo@caflab.demo) et le correspondant innovation de la Caf pilote.",
}


def _guide(holder: Project | Initiative, by: User, title: str) -> None:
    document = document_add(
        holder=holder,
        kind=DocumentKind.REPLICATION_GUIDE,
        title="Guide d’essaimage",
        upload=_upload("guide-essaimage.pdf", f"Guide d'essaimage : {title}"),
        by=by,
    )
    training = document_add(
        holder=holder,
        kind=DocumentKind.TRAINING_MATERIAL,
        title="Support de formation des agents",
        upload=_upload("formation.pdf", f"Formation : {title}"),
        by=by,
    )
    guide_save(holder=holder, by=by, fields=GUIDE, documents=[document, training])


def seed(stdout: TextIO) -> None:
    if StageKit.objects.exists():
        stdout.write("Kits : déjà présents.")
        return
    lab = User.objects.get(email=LAB)
    _kits()
    prototype = Project.objects.filter(stage=Stage.PROTOTYPE, is_draft=False).first()
    if prototype is not None:
        _prototype_documents(prototype, lab)
    essaimage = (
        Project.objects.filter(stage=Stage.ESSAIMAGE, is_draft=False)
        .filter(criee_initiative__isnull=True)
        .first()
    )
    if essaimage is not None:
        _guide(essaimage, lab, essaimage.title)
    promoted = Initiative.objects.filter(project__isnull=False).first()
    if promoted is not None:
        _guide(promoted, lab, promoted.title)
    stdout.write(
        f"Kits : {StageKit.objects.count()} kits d’étape, documents sur "
        f"{prototype.code if prototype else '–'}, fiches d’essaimage sur "
        f"{essaimage.code if essaimage else '–'} et l’initiative promue."
    )
