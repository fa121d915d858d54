"""Initiatives' images are written again on upload: no metadata (the GPS position of where a
photo was taken) survives, the orientation is applied, pages get a copy at most 1600 px wide
and those who see the initiative may download the full-size image."""

import importlib
import io
import os
import struct
import zlib

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import ExifTags, Image, ImageCms, ImageFile

from criees.models import Initiative, InitiativeImage
from tests.criees.factories import InitiativeFactory

pytestmark = pytest.mark.django_db

GPS_IFD = ExifTags.IFD.GPSInfo
ORIENTATION = ExifTags.Base.Orientation


def jpeg_with_gps(size: tuple[int, int] = (2400, 1800), **save: object) -> bytes:
    """A photo as a phone takes it: EXIF with the camera, the author, where it was taken, and
    an orientation tag saying "turn me a quarter" (portrait held phone)."""
    image = Image.linear_gradient("L").resize(size).convert("RGB")
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Téléphone"
    exif[ExifTags.Base.Artist] = "Camille Martin"
    exif[ORIENTATION] = 6
    gps = exif.get_ifd(GPS_IFD)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (45.0, 11.0, 30.5)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (5.0, 43.0, 12.25)
    buffer = io.BytesIO()
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    image.save(
        buffer, "JPEG", exif=exif, comment=b"Rue des Lilas", icc_profile=profile, quality=90, **save
    )
    return buffer.getvalue()


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header announces `width` × `height` pixels: a decompression bomb."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data)
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


@pytest.fixture
def draft(agent_a, caf_a):
    return InitiativeFactory(caf=caf_a, created_by=agent_a, status=Initiative.Status.DRAFT)


def upload(client, initiative, name: str, content: bytes, alt: str = "L'accueil"):
    return client.post(
        reverse("criees:image-add", kwargs={"pk": initiative.pk}),
        {"image-file": SimpleUploadedFile(name, content), "image-alt_text": alt},
    )


def stored(field) -> Image.Image:
    with field.open("rb") as handle:
        image = Image.open(io.BytesIO(handle.read()))
        image.load()
    return image


def assert_no_metadata(image: Image.Image, raw: bytes) -> None:
    exif = image.getexif()
    assert not exif
    assert not exif.get_ifd(GPS_IFD)
    assert "icc_profile" not in image.info
    assert "comment" not in image.info
    assert b"Exif" not in raw
    assert b"Camille" not in raw
    assert b"Lilas" not in raw


def test_no_exif_nor_gps_survives_in_either_stored_copy(client, agent_a, draft):
    client.force_login(agent_a)
    photo = jpeg_with_gps()
    sent = Image.open(io.BytesIO(photo))
    assert sent.getexif().get_ifd(GPS_IFD)  # the test's premise
    assert sent.info["icc_profile"]

    response = upload(client, draft, "IMG_2041.JPG", photo)

    assert response.status_code == 302
    image = InitiativeImage.objects.get()
    for field in (image.file, image.web_file):
        with field.open("rb") as handle:
            raw = handle.read()
        assert_no_metadata(Image.open(io.BytesIO(raw)), raw)
    original, web = stored(image.file), stored(image.web_file)
    assert original.size == (1800, 2400)  # turned as the orientation tag said
    assert web.size == (1200, 1600)
    assert (image.content_type, image.name) == ("image/jpeg", "IMG_2041.JPG")
    assert image.size == image.file.size  # the stored original's, not the upload's


def test_the_web_copy_is_at_most_1600_wide(client, agent_a, draft):
    client.force_login(agent_a)
    wide = io.BytesIO()
    Image.new("RGB", (4200, 900), (30, 90, 160)).save(wide, "PNG")

    upload(client, draft, "panorama.png", wide.getvalue())

    image = InitiativeImage.objects.get()
    assert stored(image.web_file).size == (1600, 343)
    assert stored(image.file).size == (4200, 900)


def test_a_10_mo_class_photo_gets_a_small_web_copy(client, agent_a, draft):
    client.force_login(agent_a)
    size = (3600, 2700)
    grain = Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))
    photo = Image.blend(grain, Image.linear_gradient("L").resize(size).convert("RGB"), 0.6)
    buffer = io.BytesIO()
    photo.save(buffer, "JPEG", quality=95)
    content = buffer.getvalue()
    assert 6_000_000 < len(content) < 10 * 1024 * 1024

    upload(client, draft, "chantier.jpg", content)

    image = InitiativeImage.objects.get()
    assert image.web_file.size < 800_000  # instead of every reader fetching ~8 Mo
    assert stored(image.web_file).width == 1600


def test_an_image_with_transparency_stays_a_png_with_its_alpha(client, agent_a, draft):
    client.force_login(agent_a)
    logo = Image.new("RGBA", (2000, 1000), (0, 0, 0, 0))
    logo.paste((200, 30, 30, 255), (500, 250, 1500, 750))
    buffer = io.BytesIO()
    logo.save(buffer, "PNG")

    upload(client, draft, "logo.png", buffer.getvalue())

    image = InitiativeImage.objects.get()
    web = stored(image.web_file)
    assert (web.format, web.mode, web.size) == ("PNG", "RGBA", (1600, 800))
    assert web.getpixel((0, 0))[3] == 0
    assert web.getpixel((800, 400))[3] == 255
    assert stored(image.file).format == "PNG"


def test_a_gif_is_kept_as_a_png_and_offered_under_that_name(client, agent_a, draft):
    client.force_login(agent_a)
    buffer = io.BytesIO()
    Image.new("P", (40, 30)).save(buffer, "GIF", comment=b"Rue des Lilas")

    upload(client, draft, "plan.gif", buffer.getvalue())

    image = InitiativeImage.objects.get()
    assert (image.name, image.content_type) == ("plan.png", "image/png")
    original = client.get(reverse("criees:image", kwargs={"pk": image.pk}) + "?original=1")
    assert original["Content-Type"] == "image/png"
    assert 'filename="plan.png"' in original["Content-Disposition"]
    assert b"Lilas" not in b"".join(original.streaming_content)


@pytest.mark.parametrize(
    ("content", "error"),
    [
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "n’est pas une image lisible"),
        (jpeg_with_gps((400, 300))[:2000], "n’est pas une image lisible"),  # cut short
        (png_claiming(8000, 8000), "trop grande\u00a0: 50 mégapixels au plus"),  # our limit
        (png_claiming(20000, 20000), "trop grande\u00a0: 50 mégapixels au plus"),  # Pillow's
    ],
    ids=["not-an-image", "truncated", "64-megapixels", "400-megapixels"],
)
def test_unreadable_images_and_decompression_bombs_are_refused(
    client, agent_a, draft, content, error, monkeypatch
):
    # As WeasyPrint leaves it once imported (reports): a truncated file must still be refused.
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    client.force_login(agent_a)
    response = upload(client, draft, "photo.png" if content[1:4] == b"PNG" else "p.jpg", content)
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not InitiativeImage.objects.exists()


def test_pages_show_the_web_copy_and_offer_the_original(client, agent_a, draft):
    client.force_login(agent_a)
    upload(client, draft, "accueil.jpg", jpeg_with_gps())
    image = InitiativeImage.objects.get()
    src = reverse("criees:image", kwargs={"pk": image.pk})

    page = client.get(reverse("criees:initiative", kwargs={"pk": draft.pk})).content.decode()
    assert f'src="{src}" alt="L&#x27;accueil"' in page
    assert f'href="{src}?original=1" download>Télécharger l’original' in page

    shown = client.get(src)
    assert shown["Content-Type"] == "image/jpeg"
    assert Image.open(io.BytesIO(b"".join(shown.streaming_content))).size == (1200, 1600)
    original = client.get(f"{src}?original=1")
    assert Image.open(io.BytesIO(b"".join(original.streaming_content))).size == (1800, 2400)


def test_images_of_a_draft_are_404_outside_its_caf(client, agent_a, agent_b, draft):
    client.force_login(agent_a)
    upload(client, draft, "accueil.jpg", jpeg_with_gps((400, 300)))
    src = reverse("criees:image", kwargs={"pk": InitiativeImage.objects.get().pk})
    client.force_login(agent_b)
    assert client.get(src).status_code == 404
    assert client.get(f"{src}?original=1").status_code == 404


def test_deleting_an_image_deletes_both_copies(
    client, agent_a, draft, django_capture_on_commit_callbacks
):
    client.force_login(agent_a)
    upload(client, draft, "accueil.jpg", jpeg_with_gps((400, 300)))
    image = InitiativeImage.objects.get()
    storage, names = image.file.storage, [image.file.name, image.web_file.name]
    assert all(storage.exists(name) for name in names)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("criees:image-delete", kwargs={"pk": image.pk}))

    assert not InitiativeImage.objects.exists()
    assert not any(storage.exists(name) for name in names)


def test_images_stored_before_are_cleaned_by_the_migration(draft):
    raw = InitiativeImage(initiative=draft, name="ancienne.jpg", size=1, alt_text="Ancienne")
    raw.content_type = "image/jpeg"
    raw.file.save("ancienne.jpg", ContentFile(jpeg_with_gps()), save=True)  # stored as sent
    unreadable = InitiativeImage(initiative=draft, name="x.png", size=8, alt_text="Abîmée")
    unreadable.content_type = "image/png"
    unreadable.file.save("x.png", ContentFile(b"\x89PNG\r\n\x1a\n"), save=True)
    old_name = raw.file.name
    assert stored(raw.file).getexif().get_ifd(GPS_IFD)

    migration = importlib.import_module("criees.migrations.0004_initiative_image_clean_existing")
    migration.clean_existing_images(apps, None)

    raw.refresh_from_db()
    with raw.file.open("rb") as handle:
        content = handle.read()
    assert_no_metadata(Image.open(io.BytesIO(content)), content)
    assert stored(raw.web_file).size == (1200, 1600)
    assert raw.size == len(content)
    assert not raw.file.storage.exists(old_name)
    unreadable.refresh_from_db()
    assert unreadable.web_file.name == ""
    assert unreadable.file.name.endswith(".png")
