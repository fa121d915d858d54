"""Uploaded files, for every app: how they are checked, where they are stored, how they are
served.

What people upload (idea attachments, session debriefs, initiatives' files and images) and what
is built for them (exports, reports) must never be reachable by a public URL. It is stored in
the "private" storage of `STORAGES` (`private_storage`, given to file fields as
`storage=get_private_storage`, so that migrations name the alias and not a backend), under a
random name (`RandomName`). By default that storage is `PrivateStorage`: a directory outside
MEDIA_ROOT (which `runserver` serves in development, and a web server might serve in
production) with no URL. Settings may switch it to an S3-compatible object store (private
objects, URLs signed for a minute), so that several web nodes share the files.

Only the apps' views serve these files, after checking that the user may see them, always as a
download (`download_response`): streamed from the local directory, or a redirect to a
short-lived signed URL of the object store.

An upload is accepted (`check_upload`) when its extension is among the kinds the caller allows,
its size under the caller's limit, and its first bytes match the format the extension claims (a
renamed executable is refused): an OOXML or ODF document is a zip holding a known member, a text
file is UTF-8 without NUL bytes. An image is then decoded and written again with Pillow
(`clean_image`): what the camera recorded (EXIF with the GPS position, XMP, comments, colour
profile) is dropped, the orientation applied, and a copy sized for the web made.
"""

import contextlib
import io
import os
import struct
import threading
import uuid
import warnings
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.core.files.uploadedfile import UploadedFile
from django.core.signals import setting_changed
from django.db.models.fields.files import FieldFile
from django.dispatch import receiver
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.functional import LazyObject, empty
from django.utils.http import content_disposition_header
from django.utils.text import get_valid_filename
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageCms, ImageFile, ImageOps, UnidentifiedImageError

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
            _("Ce type de fichier n’est pas accepté. Formats acceptés : %(formats)s."),
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


# --- cleaning an image -----------------------------------------------------------------------

# Beyond this, an image is refused before it is decoded: a small file may claim (and decompress
# to) gigabytes of pixels. 50 megapixels is above what phones and cameras take.
MAX_IMAGE_PIXELS = 50_000_000
# The copy shown in pages fits in this box (in pixels): at most 1600 wide.
WEB_IMAGE_SIZE = (1600, 1600)
WEB_JPEG_QUALITY = 85
# The kept original is written again once, at a quality that does not show.
ORIGINAL_JPEG_QUALITY = 95
PILLOW_FORMATS = ("JPEG", "PNG", "GIF", "WEBP")
_STRICT_DECODING = threading.Lock()


@dataclass(frozen=True)
class CleanImage:
    """An image written again without its metadata: `original` (full size) and `web` (sized for
    pages), each a named ContentFile whose extension says its format."""

    original: ContentFile
    web: ContentFile
    content_type: str
    width: int
    height: int


def _decode(upload: IO[bytes]) -> Image.Image:
    """The image's pixels, or a French ValidationError: not an image Pillow reads, damaged, or
    too many pixels (a decompression bomb)."""
    upload.seek(0)
    too_large = ValidationError(
        _("L’image est trop grande : %(megapixels)s mégapixels au plus."),
        code="pixels",
        params={"megapixels": MAX_IMAGE_PIXELS // 1_000_000},
    )
    try:
        with warnings.catch_warnings():
            # Pillow warns past its own limit and refuses past twice that: both are refusals.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(upload, formats=PILLOW_FORMATS)
            if image.width * image.height > MAX_IMAGE_PIXELS:  # read from the header
                raise too_large
            # A file cut short is refused, not completed with grey: WeasyPrint, once imported,
            # sets Pillow's process-wide LOAD_TRUNCATED_IMAGES, so it is unset while we decode.
            with _STRICT_DECODING:
                lenient = ImageFile.LOAD_TRUNCATED_IMAGES
                ImageFile.LOAD_TRUNCATED_IMAGES = False
                try:
                    image.load()
                finally:
                    ImageFile.LOAD_TRUNCATED_IMAGES = lenient
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as bomb:
        raise too_large from bomb
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError) as unreadable:
        raise ValidationError(
            _("Ce fichier n’est pas une image lisible (il est peut-être abîmé)."), code="image"
        ) from unreadable
    finally:
        upload.seek(0)
    return image


def _has_transparency(image: Image.Image) -> bool:
    if not image.has_transparency_data:
        return False
    alpha = image.convert("RGBA").getchannel("A")
    return alpha.getextrema()[0] < 255


def _to_srgb(image: Image.Image) -> Image.Image:
    """Pixels in sRGB, the profile a browser assumes: the embedded profile (which may name the
    device) is applied, then dropped. Kept as they are if the profile cannot be read."""
    profile = image.info.get("icc_profile")
    if not profile or image.mode not in ("RGB", "CMYK", "L"):
        return image
    try:
        return ImageCms.profileToProfile(
            image,
            ImageCms.ImageCmsProfile(io.BytesIO(profile)),
            ImageCms.createProfile("sRGB"),
            outputMode="L" if image.mode == "L" else "RGB",
        )
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return image


def _encode(image: Image.Image, fmt: str, **options: Any) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def clean_image(upload: IO[bytes]) -> CleanImage:
    """The image written again with Pillow, without what the camera or editor recorded (EXIF
    and its GPS position, XMP, IPTC, comments, colour profile), turned the way its orientation
    tag said, as a full-size original and a copy for pages (at most 1600 px wide). A French
    ValidationError if it cannot be read or has too many pixels.

    The original keeps its format (a GIF becomes a PNG: its first frame), losslessly except a
    JPEG or WebP, written again at quality 95. The web copy is a JPEG at quality 85, or a PNG
    when the image has transparent pixels.
    """
    image = _decode(upload)
    source_format = image.format
    # An EXIF block Pillow cannot parse: the image is kept as stored (the block dropped all
    # the same).
    with contextlib.suppress(ValueError, TypeError, SyntaxError, OSError, struct.error):
        image = ImageOps.exif_transpose(image) or image
    image = _to_srgb(image)
    transparent = _has_transparency(image)
    if transparent:
        mode = "RGBA"
    elif image.mode == "L":
        mode = "L"
    else:
        mode = "RGB"
    clean = image.convert(mode) if image.mode != mode else image.copy()
    clean.info = {}  # Pillow writes back some of these (comment, profile) when saving

    if source_format == "JPEG" and not transparent:
        original = _encode(clean, "JPEG", quality=ORIGINAL_JPEG_QUALITY, optimize=True)
        extension, content_type = "jpg", "image/jpeg"
    elif source_format == "WEBP":
        original = _encode(clean, "WEBP", quality=ORIGINAL_JPEG_QUALITY, method=4)
        extension, content_type = "webp", "image/webp"
    else:  # PNG, GIF (and the rare JPEG with an alpha channel): lossless
        original = _encode(clean, "PNG")
        extension, content_type = "png", "image/png"

    web = clean.copy()
    web.thumbnail(WEB_IMAGE_SIZE, Image.Resampling.LANCZOS)
    web.info = {}
    if transparent:
        web_bytes, web_extension = _encode(web, "PNG", optimize=True), "png"
    else:
        web_bytes = _encode(web, "JPEG", quality=WEB_JPEG_QUALITY, optimize=True, progressive=True)
        web_extension = "jpg"
    return CleanImage(
        original=ContentFile(original, name=f"original.{extension}"),
        web=ContentFile(web_bytes, name=f"web.{web_extension}"),
        content_type=content_type,
        width=clean.width,
        height=clean.height,
    )


# --- storing it ----------------------------------------------------------------------------


@deconstructible
class PrivateStorage(FileSystemStorage):
    """A file system storage outside MEDIA_ROOT, with no URL: files are served by a view. The
    local backend of the "private" storage (`STORAGES`).

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


PRIVATE_STORAGE_ALIAS = "private"


class _PrivateStorageProxy(LazyObject):
    """The "private" storage of STORAGES, looked up at first use rather than when models are
    imported, and again after STORAGES changes (a test switching to an object store)."""

    def _setup(self) -> None:
        self._wrapped = storages[PRIVATE_STORAGE_ALIAS]


private_storage: Storage = _PrivateStorageProxy()  # type: ignore[assignment]


def get_private_storage() -> Storage:
    """The `storage=` of private file fields. A callable, so that migrations record this name
    and not the backend the settings chose (a local directory here, a bucket there)."""
    return private_storage


@receiver(setting_changed)
def _reset_private_storage(*, setting: str, **kwargs: Any) -> None:
    # Django empties its own `storages` cache on this signal; the proxy must let go too.
    if setting == "STORAGES":
        private_storage._wrapped = empty  # type: ignore[attr-defined]


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


def name_for_format(filename: str, stored_name: str) -> str:
    """`filename` with the extension of `stored_name` if they name different formats (a GIF
    kept as a PNG): the name offered at download must match what is served."""
    wanted = extension_of(stored_name)
    kind, stored_kind = ALL_KINDS.get(extension_of(filename)), ALL_KINDS.get(wanted)
    if (
        kind is not None
        and stored_kind is not None
        and kind.content_type == stored_kind.content_type
    ):
        return filename
    return f"{Path(filename).stem or 'image'}.{wanted}"


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


def signs_urls(storage: Storage) -> bool:
    """Whether the storage hands out signed, expiring URLs (S3 with `querystring_auth`), which
    a browser may be redirected to; otherwise its files are streamed by the view."""
    return bool(getattr(storage, "querystring_auth", False)) and not getattr(
        storage, "custom_domain", None
    )


def download_response(
    stored: FieldFile,
    *,
    filename: str,
    kinds: Mapping[str, Kind] = ALL_KINDS,
    cache_control: str = "private, no-store",
    redirect: bool = True,
) -> HttpResponse:
    """The stored file, always as a download (`as_attachment`) under `filename` made safe, typed
    by the kind of its extension (checked at upload; "application/octet-stream" otherwise), and
    never sniffed nor rendered by the browser as a page of ours. An <img> still shows an image
    served this way. 404 if the file is missing.

    Call it after checking that the user may see the file. From a local storage, the file is
    streamed. From an object store that signs URLs, the answer is a redirect to a URL valid for
    a minute (`querystring_expire`), which makes the store send the same headers; the redirect
    itself is never cached. `redirect=False` streams from the store through this node instead:
    for small files shown in our pages (the strict CSP lets images come from our origin only).
    """
    if not stored:
        raise Http404
    kind = kinds.get(extension_of(stored.name))
    content_type = kind.content_type if kind else "application/octet-stream"
    name = display_name(filename)
    if redirect and signs_urls(stored.storage):
        if not stored.storage.exists(stored.name):
            raise Http404
        url = stored.storage.url(
            stored.name,
            parameters={
                "ResponseContentDisposition": content_disposition_header(True, name),
                "ResponseContentType": content_type,
                "ResponseCacheControl": cache_control,
            },
        )
        response: HttpResponse = HttpResponseRedirect(url)
        response["Cache-Control"] = "private, no-store"  # the URL expires within a minute
        return response
    try:
        handle = stored.open("rb")
    except (FileNotFoundError, ValueError) as missing:  # S3Storage too raises FileNotFoundError
        raise Http404 from missing
    response = FileResponse(handle, as_attachment=True, filename=name, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = cache_control
    return response
