"""Upload checks: extension whitelist, size limit, content sniffing."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from caflab.core.uploads import DOCUMENTS, IMAGES, check_upload, display_name
from tests.archives import zip_of


def _zip(*members: str, mimetype: str = "") -> bytes:
    head = [("mimetype", mimetype)] if mimetype else []
    return zip_of(*head, *((member, "<x/>") for member in members))


@pytest.mark.parametrize(
    ("name", "content", "kinds", "content_type"),
    [
        ("bilan.PDF", b"%PDF-1.4 ...", DOCUMENTS, "application/pdf"),
        (
            "note.docx",
            _zip("[Content_Types].xml", "word/document.xml"),
            DOCUMENTS,
            "wordprocessingml",
        ),
        (
            "tableau.ods",
            _zip("content.xml", mimetype="application/vnd.oasis.opendocument.spreadsheet"),
            DOCUMENTS,
            "opendocument.spreadsheet",
        ),
        ("liste.csv", "nom;ville\nAnaïs;Grenoble\n".encode(), DOCUMENTS, "text/csv"),
        ("photo.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 20, IMAGES, "image/jpeg"),
        ("photo.webp", b"RIFF\x00\x00\x00\x00WEBPVP8 ", IMAGES, "image/webp"),
    ],
)
def test_accepted_uploads_get_the_type_of_their_content(name, content, kinds, content_type):
    kind = check_upload(SimpleUploadedFile(name, content), kinds)
    assert content_type in kind.content_type


@pytest.mark.parametrize(
    ("name", "content", "kinds"),
    [
        ("photo.png", b"%PDF-1.4", IMAGES),  # a PDF renamed
        ("photo.webp", b"RIFF\x00\x00\x00\x00WAVEfmt ", IMAGES),  # a sound
        ("note.docx", _zip("word/document.xml"), DOCUMENTS),  # a zip, not a Word file
        ("liste.csv", b"\x00\x01binary", DOCUMENTS),
        ("page.html", b"<html>", DOCUMENTS),
        ("image.svg", b"<svg/>", IMAGES),
    ],
)
def test_refused_uploads(name, content, kinds):
    with pytest.raises(ValidationError):
        check_upload(SimpleUploadedFile(name, content), kinds)


def test_the_display_name_is_made_safe():
    assert display_name("../../etc/Rapport final (v2).pdf") == "Rapport_final_v2.pdf"
