"""Uploaded files, for every app: how they are checked, where they are stored, how they are
served.

What people upload (idea attachments, session debriefs, initiatives' files and images) must
never be reachable by a public URL: it is stored outside MEDIA_ROOT (which `runserver` serves in
development, and a web server might serve in production), in `private_storage`, which has no
URL, under a random name (`RandomName`). Only the app's views serve it, after checking that the
user may see it, always as a download (`download_response`).

An upload is accepted (`check_upload`) when its extension is among the kinds the caller allows,
its size under the caller's limit, and its first bytes match the format the extension claims (a
renamed executable is refused): an OOXML or ODF document is a zip holding a known member, a text
file is UTF-8 without NUL bytes. Pillow is not a dependency: the check is done on the bytes.
"""

import os
import uuid
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation, ValidationError
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import UploadedFile
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.text import get_valid_filename
from django.utils.translation import gettext_lazy as _

DEFAULT_MAX_BYTES = 10 * 1024 * 1024  # 10 Mo
SNIFF_BYTES = 16
MAX_NAME_LENGTH = 120

OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy Office (doc, xls, ppt)
ZIP = b"PK\x03\x04"

# --- the kinds of file ---------------------------------------------------------------------


@dataclass(frozen=True)
class Kind:
    content_type: str
    signatures: tuple[bytes, ...] = ()
    # An OOXML or ODF file is a zip holding all these members (its main part, not only the
    # content types, so that an .xlsx renamed .docx is refused too).
    zip_members: tuple[str, ...] = ()
    # ODF: the "mimetype" member holds the format's own type.
    odf: bool = False
    is_text: bool = False


DOCUMENTS: dict[str, Kind] = {
    "pdf": Kind("application/pdf", (b"%PDF-",)),
    "doc": Kind("application/msword", (OLE,)),
    "xls": Kind("application/vnd.ms-excel", (OLE,)),
    "ppt": Kind("application/vnd.ms-powerpoint", (OLE,)),
    "docx": Kind(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        (ZIP,),
        ("[Content_Types].xml", "word/document.xml"),
    ),
    "xlsx": Kind(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        (ZIP,),
        ("[Content_Types].xml", "xl/workbook.xml"),
    ),
    "pptx": Kind(
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        (ZIP,),
        ("[Content_Types].xml", "ppt/presentation.xml"),
    ),
    "odt": Kind("application/vnd.oasis.opendocument.text", (ZIP,), ("mimetype",), odf=True),
    "ods": Kind("application/vnd.oasis.opendocument.spreadsheet", (ZIP,), ("mimetype",), odf=True),
    "odp": Kind("application/vnd.oasis.opendocument.presentation", (ZIP,), ("mimetype",), odf=True),
    "txt": Kind("text/plain; charset=utf-8", is_text=True),
    "csv": Kind("text/csv; charset=utf-8", is_text=True),
}
# No SVG: it can carry script.
IMAGES: dict[str, Kind] = {
    "png": Kind("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "jpg": Kind("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": Kind("image/jpeg", (b"\xff\xd8\xff",)),
    "gif": Kind("image/gif", (b"GIF87a", b"GIF89a")),
    "webp": Kind("image/webp", (b"RIFF",)),
}
ALL_KINDS: dict[str, Kind] = {**DOCUMENTS, **IMAGES}


def pick_kinds(*extensions: str) -> dict[str, Kind]:
    """The kinds of these extensions (from DOCUMENTS and IMAGES), for an app's own list."""
    return {extension: ALL_KINDS[extension] for extension in extensions}


def extension_of(filename: str) -> str:
    """The extension, lower case, without its dot ("" if none)."""
    return Path(filename or "").suffix.lower().lstrip(".")


# --- checking an upload --------------------------------------------------------------------


def _head(upload: UploadedFile) -> bytes:
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    upload.seek(0)
    return head


def _is_text(upload: UploadedFile) -> bool:
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    if b"\x00" in data:
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _zip_matches(upload: UploadedFile, kind: Kind) -> bool:
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
            if not names.issuperset(kind.zip_members):
                return False
            if kind.odf:
                declared = archive.read("mimetype")[:100].decode("ascii", "replace").strip()
                return declared == kind.content_type
            return True
    except (zipfile.BadZipFile, OSError, KeyError):
        return False
    finally:
        upload.seek(0)


def _matches(upload: UploadedFile, extension: str, kind: Kind) -> bool:
    if kind.is_text:
        return _is_text(upload)
    head = _head(upload)
    if not head.startswith(kind.signatures):
        return False
    if extension == "webp":
        return head[8:12] == b"WEBP"
    if kind.zip_members:
        return _zip_matches(upload, kind)
    return True


def check_upload(
    upload: UploadedFile, kinds: Mapping[str, Kind], *, max_bytes: int = DEFAULT_MAX_BYTES
) -> Kind:
    """The upload's kind if it is acceptable; else a ValidationError saying why, in French.

    The error's `code` is "extension", "size", "empty" or "content"; its `params` hold the
    file's `name` (without its path), its `extension`, the accepted `formats` and the `size`
    limit in Mo, for a caller that words the message its own way.
    """
    extension = extension_of(upload.name or "")
    params = {
        "name": _base_name(upload.name or ""),
        "extension": extension,
        "formats": ", ".join(sorted(kinds)),
        "size": max_bytes // (1024 * 1024),
    }
    if extension not in kinds:
        raise ValidationError(
            _("Ce type de fichier n'est pas accepté. Formats acceptés : %(formats)s."),
            code="extension",
            params=params,
        )
    if upload.size is not None and upload.size > max_bytes:
        raise ValidationError(
            _("Le fichier dépasse la taille maximale de %(size)s Mo."), code="size", params=params
        )
    if not upload.size:
        raise ValidationError(_("Le fichier est vide."), code="empty", params=params)
    kind = kinds[extension]
    if not _matches(upload, extension, kind):
        raise ValidationError(
            _("Le contenu du fichier ne correspond pas à son extension (.%(extension)s)."),
            code="content",
            params=params,
        )
    return kind


# --- storing it ----------------------------------------------------------------------------


@deconstructible
class PrivateStorage(FileSystemStorage):
    """A file system storage outside MEDIA_ROOT, with no URL: files are served by a view.

    Its root is the PRIVATE_MEDIA_ROOT setting (by default `var/private-media`, ignored by git),
    read at each use, so that tests can point it at a temporary directory.
    """

    def __init__(self) -> None:
        super().__init__()

    @property
    def base_location(self) -> str:  # type: ignore[override]
        return str(settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self) -> str:  # type: ignore[override]
        return os.path.abspath(self.base_location)

    def url(self, name: str | None) -> str:
        raise NotImplementedError("Private files have no URL: serve them through a view.")


private_storage = PrivateStorage()


def random_filename(filename: str) -> str:
    """A random name keeping the file's extension (lower case): what is stored on disk."""
    extension = extension_of(filename)
    safe = extension.isascii() and extension.isalnum() and len(extension) <= 10
    suffix = f".{extension}" if safe else ""
    return f"{uuid.uuid4().hex}{suffix}"


@deconstructible
class RandomName:
    """An `upload_to`: a random name on disk (never the uploader's, and not guessable), keeping
    the extension, in `<folder>/<year>/<month>/`. Written as `RandomName("ideas")` in a model,
    and so in its migrations."""

    def __init__(self, folder: str) -> None:
        self.folder = folder.strip("/")

    def __call__(self, instance: Any, filename: str) -> str:
        return f"{self.folder}/{timezone.now():%Y/%m}/{random_filename(filename)}"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RandomName) and other.folder == self.folder

    def __hash__(self) -> int:
        return hash((RandomName, self.folder))


def _base_name(filename: str) -> str:
    """The name without the folders a browser may send (Windows ones too)."""
    return (filename or "").replace("\\", "/").rsplit("/", 1)[-1]


def display_name(filename: str) -> str:
    """The name shown and offered at download: the uploader's, without its path (Windows ones
    too) nor risky characters, at most 120 characters; "fichier" if nothing is left."""
    try:
        name = get_valid_filename(_base_name(filename))
    except SuspiciousFileOperation:  # "", "." or ".."
        name = ""
    return (name or "fichier")[-MAX_NAME_LENGTH:]


# --- serving it ----------------------------------------------------------------------------


def download_response(
    stored: FieldFile,
    *,
    filename: str,
    kinds: Mapping[str, Kind] = ALL_KINDS,
    cache_control: str = "private, no-store",
) -> FileResponse:
    """The stored file, always as a download (`as_attachment`) under `filename` made safe, typed
    by the kind of its extension (checked at upload; "application/octet-stream" otherwise), and
    never sniffed nor rendered by the browser as a page of ours. An <img> still shows an image
    served this way. 404 if the file is missing."""
    if not stored:
        raise Http404
    try:
        handle = stored.open("rb")
    except (FileNotFoundError, ValueError) as missing:
        raise Http404 from missing
    kind = kinds.get(extension_of(stored.name))
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=display_name(filename),
        content_type=kind.content_type if kind else "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = cache_control
    return response
