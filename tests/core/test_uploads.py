"""The shared upload module: checks (extension, size, content), private storage, random names,
safe display names and downloads."""

import struct
import zipfile
import zlib
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.migrations.serializer import serializer_factory
from django.db.models.fields.files import FieldFile
from django.http import Http404

from caflab.core.uploads import (
    ALL_KINDS,
    DOCUMENTS,
    IMAGES,
    PrivateStorage,
    RandomName,
    check_upload,
    display_name,
    download_response,
    pick_kinds,
    private_storage,
)
from ideas.models import IdeaAttachment
from tests.archives import zip_of

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 100


def png_bytes() -> bytes:
    """A real 1×1 PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def docx_bytes() -> bytes:
    """A minimal Word document: a zip with its content types, relations and body."""
    content_types = (
        '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
        'content-types"><Override PartName="/word/document.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
    )
    return zip_of(
        ("[Content_Types].xml", content_types),
        ("_rels/.rels", "<Relationships/>"),
        ("word/document.xml", "<w:document/>"),
        compression=zipfile.ZIP_DEFLATED,
    )


def xlsx_bytes() -> bytes:
    return zip_of(("[Content_Types].xml", "<Types/>"), ("xl/workbook.xml", "<workbook/>"))


def ods_bytes() -> bytes:
    return zip_of(
        ("mimetype", "application/vnd.oasis.opendocument.spreadsheet"),
        ("content.xml", "<office:document-content/>"),
    )


def zip_bytes(member: str) -> bytes:
    return zip_of((member, "<x/>"))


def refusal(name: str, content: bytes, kinds=ALL_KINDS, **kwargs) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        check_upload(SimpleUploadedFile(name, content), kinds, **kwargs)
    return caught.value


# --- checks --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("Rapport.PDF", PDF, "application/pdf"),
        ("photo.png", png_bytes(), "image/png"),
        ("compte rendu.docx", docx_bytes(), "wordprocessingml.document"),
        ("liste.csv", "nom;ville\nAnaïs;Grenoble\n".encode(), "text/csv; charset=utf-8"),
        ("note.txt", "Réunion à 14 h.\n".encode(), "text/plain; charset=utf-8"),
        ("photo.webp", b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 16, "image/webp"),
    ],
)
def test_real_files_are_accepted_with_the_type_of_their_kind(name, content, content_type):
    kind = check_upload(SimpleUploadedFile(name, content), ALL_KINDS)
    assert content_type in kind.content_type


def test_the_upload_can_still_be_read_from_the_start_after_the_check():
    upload = SimpleUploadedFile("compte rendu.docx", docx_bytes())
    check_upload(upload, DOCUMENTS)
    assert upload.read() == docx_bytes()


def test_an_executable_renamed_pdf_is_refused_by_its_content():
    error = refusal("devis.pdf", EXE)
    assert error.code == "content"
    assert error.messages == ["Le contenu du fichier ne correspond pas à son extension (.pdf)."]


def test_an_exe_is_refused_by_its_extension_naming_the_accepted_formats():
    error = refusal("outil.exe", EXE, kinds=pick_kinds("pdf", "png"))
    assert error.code == "extension"
    assert error.messages == [
        "Ce type de fichier n’est pas accepté. Formats acceptés\u00a0: pdf, png."
    ]


def test_a_file_over_the_callers_limit_is_refused_in_french():
    content = PDF + b"0" * (2 * 1024 * 1024)
    error = refusal("gros.pdf", content, max_bytes=2 * 1024 * 1024)
    assert error.code == "size"
    assert error.messages == ["Le fichier dépasse la taille maximale de 2 Mo."]
    # The same file is fine under a larger limit.
    assert check_upload(SimpleUploadedFile("gros.pdf", content), DOCUMENTS, max_bytes=3 << 20)


def test_the_default_limit_is_10_mo():
    error = refusal("gros.pdf", PDF + b"0" * (10 * 1024 * 1024))
    assert error.messages == ["Le fichier dépasse la taille maximale de 10 Mo."]


def test_an_empty_file_is_refused():
    error = refusal("vide.pdf", b"")
    assert error.code == "empty"
    assert error.messages == ["Le fichier est vide."]


def test_the_error_gives_its_details_to_a_caller_that_words_it_its_own_way():
    error = refusal("C:\\Users\\agent\\devis.pdf", EXE, kinds=pick_kinds("pdf"), max_bytes=5 << 20)
    assert error.params == {"name": "devis.pdf", "extension": "pdf", "formats": "pdf", "size": 5}


@pytest.mark.parametrize(
    ("name", "content", "kinds"),
    [
        ("photo.png", PDF, IMAGES),  # a PDF renamed
        ("photo.jpg", png_bytes(), IMAGES),  # a PNG renamed
        ("photo.webp", b"RIFF\x24\x00\x00\x00WAVEfmt " + b"\x00" * 16, IMAGES),  # a sound
        ("note.docx", zip_bytes("word/document.xml"), DOCUMENTS),  # a zip, not a Word file
        ("note.docx", b"PK\x03\x04 not really a zip", DOCUMENTS),
        ("note.odt", zip_bytes("content.xml"), DOCUMENTS),  # no "mimetype" member
        ("note.docx", xlsx_bytes(), DOCUMENTS),  # a spreadsheet renamed .docx
        ("note.odt", ods_bytes(), DOCUMENTS),  # an OpenDocument spreadsheet renamed .odt
        ("liste.csv", b"nom\x00ville", DOCUMENTS),  # binary
        ("liste.csv", "Anaïs".encode("latin-1"), DOCUMENTS),  # not UTF-8
        ("page.html", b"<html>", DOCUMENTS),
        ("image.svg", b"<svg/>", IMAGES),
        ("sans-extension", PDF, DOCUMENTS),
    ],
)
def test_refused_uploads(name, content, kinds):
    with pytest.raises(ValidationError):
        check_upload(SimpleUploadedFile(name, content), kinds)


def test_an_apps_list_is_picked_from_the_shared_kinds():
    kinds = pick_kinds("pdf", "png")
    assert kinds == {"pdf": DOCUMENTS["pdf"], "png": IMAGES["png"]}
    with pytest.raises(KeyError):
        pick_kinds("exe")


# --- names ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("uploaded", "shown"),
    [
        ("../../etc/Rapport final (v2).pdf", "Rapport_final_v2.pdf"),
        ("C:\\Users\\agent\\Bilan.docx", "Bilan.docx"),
        ('rapport "final"\r\n.pdf', "rapport_final.pdf"),
        ("..", "fichier"),
        ("", "fichier"),
        ("../", "fichier"),
    ],
)
def test_display_name_strips_paths_and_risky_characters(uploaded, shown):
    assert display_name(uploaded) == shown


def test_a_long_display_name_keeps_its_end_and_extension():
    name = display_name("a" * 300 + ".pdf")
    assert len(name) == 120
    assert name.endswith(".pdf")


def test_random_names_keep_only_the_extension_in_the_apps_folder():
    upload_to = RandomName("ideas")
    first = upload_to(None, "../Compte Rendu.PDF")
    second = upload_to(None, "../Compte Rendu.PDF")
    assert first != second
    assert first.startswith("ideas/")
    assert first.endswith(".pdf")
    assert "compte" not in first.lower()
    assert upload_to(None, "sans extension").count(".") == 0


def test_random_name_and_private_storage_are_written_in_migrations_as_calls():
    for value, expected in [
        (RandomName("sessions"), "caflab.core.uploads.RandomName('sessions')"),
        (private_storage, "caflab.core.uploads.PrivateStorage()"),
    ]:
        written, imports = serializer_factory(value).serialize()
        assert written == expected
        assert imports == {"import caflab.core.uploads"}
    assert RandomName("ideas") == RandomName("ideas") != RandomName("sessions")


# --- private storage -----------------------------------------------------------------------


def test_private_storage_has_no_url(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path)
    name = private_storage.save("essai/note.pdf", ContentFile(PDF))
    with pytest.raises(NotImplementedError):
        private_storage.url(name)


def test_private_storage_is_the_private_root_read_at_each_use(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path / "prive")
    storage = PrivateStorage()
    name = storage.save("essai/note.pdf", ContentFile(PDF))
    path = Path(storage.path(name))
    assert path.is_relative_to(tmp_path / "prive")
    assert not path.is_relative_to(Path(settings.MEDIA_ROOT))
    assert path.read_bytes() == PDF


# --- downloads -----------------------------------------------------------------------------


def stored_file(name: str, content: bytes) -> FieldFile:
    field = IdeaAttachment._meta.get_field("file")
    return FieldFile(None, field, private_storage.save(name, ContentFile(content)))


def test_a_download_is_an_attachment_typed_by_its_kind_and_never_sniffed():
    response = download_response(
        stored_file("essai/a1b2.pdf", PDF), filename='../Mon "bilan"\r\n.pdf'
    )
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="Mon_bilan.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content) == PDF
    response.file_to_stream.close()


def test_a_download_of_a_kind_outside_the_list_is_an_octet_stream():
    response = download_response(
        stored_file("essai/a1b2.pdf", PDF), filename="bilan.pdf", kinds=pick_kinds("png")
    )
    assert response["Content-Type"] == "application/octet-stream"
    response.file_to_stream.close()


def test_a_missing_or_empty_file_is_404():
    field = IdeaAttachment._meta.get_field("file")
    with pytest.raises(Http404):
        download_response(FieldFile(None, field, "essai/disparu.pdf"), filename="x.pdf")
    with pytest.raises(Http404):
        download_response(FieldFile(None, field, ""), filename="x.pdf")
