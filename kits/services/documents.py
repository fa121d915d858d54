"""Documents of projects and initiatives, and their versions. An upload is checked as every
upload of the platform (`caflab.core.uploads.check_upload`: extension, size, content sniffed),
stored privately under a random name; a new upload of a document is its next version, the
older ones kept. The document's row is locked while a version is added: two uploads at once get
two numbers, and the same file sent twice (a double click) is "already done"."""

import hashlib

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from caflab.accounts.models import User
from caflab.core import errors
from caflab.core.uploads import DOCUMENTS, Kind, check_upload, display_name
from criees.models import Initiative
from kits.models import Document, DocumentKind, DocumentVersion, holder_kwargs
from projects.models import Project
from projects.services import ensure_partner_may_contribute

MAX_UPLOAD_BYTES = 20 * 1024 * 1024  # 20 Mo: a business case with its figures
DOCUMENT_KINDS = DOCUMENTS


def check_document(upload: UploadedFile) -> Kind:
    """The upload's kind, or a French ValidationError (format, size, empty, content)."""
    return check_upload(upload, DOCUMENT_KINDS, max_bytes=MAX_UPLOAD_BYTES)


def _digest(upload: UploadedFile) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def _store_version(
    *, document: Document, upload: UploadedFile, by: User, note: str, kind: Kind
) -> DocumentVersion:
    """Write the next version of the locked `document`."""
    checksum = _digest(upload)
    latest = document.latest_version
    if latest is not None and latest.sha256 == checksum:
        raise errors.AlreadyDone(
            _("C’est déjà fait : ce fichier est déjà la dernière version du document.")
        )
    version = DocumentVersion(
        document=document,
        number=document.n_versions + 1,
        name=display_name(upload.name or ""),
        content_type=kind.content_type,
        size=upload.size or 0,
        sha256=checksum,
        note=note.strip(),
        uploaded_by=by,
    )
    version.file.save(upload.name or "document", upload, save=False)
    version.save()
    document.latest_version = version
    document.n_versions = version.number
    document.save(update_fields=["latest_version", "n_versions", "updated_at"])
    return version


@transaction.atomic
def document_add(
    *,
    holder: Project | Initiative,
    kind: str,
    title: str,
    upload: UploadedFile,
    by: User,
    description: str = "",
    note: str = "",
) -> Document:
    """A new document of `holder` with `upload` as its first version. A document of the same
    kind and title already there is refused: its new file is a new version of it. A partner
    adds documents to the incubated projects of their organisation only (`PartnerRefused`)."""
    if isinstance(holder, Project):
        ensure_partner_may_contribute(project=holder, by=by)
    if kind not in DocumentKind.values:
        raise errors.InvalidState({"kind": _("Type de document inconnu.")})
    title = title.strip()
    if not title:
        raise errors.InvalidState({"title": _("Donnez un titre au document.")})
    file_kind = check_document(upload)
    same = Document.objects.of(holder).filter(kind=kind, title__iexact=title).first()
    if same is not None:
        raise errors.AlreadyDone(
            _(
                "Le document « %(title)s » existe déjà : déposez-en une nouvelle version depuis "
                "sa page."
            )
            % {"title": same.title}
        )
    try:
        with transaction.atomic():
            document = Document.objects.create(
                **holder_kwargs(holder),
                kind=kind,
                title=title,
                description=description.strip(),
                created_by=by,
            )
    except IntegrityError as exc:  # the same document sent twice at once
        raise errors.AlreadyDone(
            _("C’est déjà fait : le document « %(title)s » vient d’être ajouté.") % {"title": title}
        ) from exc
    _store_version(document=document, upload=upload, by=by, note=note, kind=file_kind)
    return document


@transaction.atomic
def document_version_add(
    *, document: Document, upload: UploadedFile, by: User, note: str = ""
) -> DocumentVersion:
    """`upload` as the next version of `document` (its row locked: numbers never collide). A
    partner adds versions to the incubated projects of their organisation only."""
    if document.project_id is not None:
        ensure_partner_may_contribute(project=document.project, by=by)
    file_kind = check_document(upload)
    locked = (
        Document.objects.select_for_update(of=("self",))
        .select_related("latest_version")
        .get(pk=document.pk)
    )
    return _store_version(document=locked, upload=upload, by=by, note=note, kind=file_kind)
