"""Private files on an S3-compatible object store, so that several web nodes share them: tested
against a real S3 server (moto's, started on loopback), through the real views. Downloads are
checked for visibility, then redirected to a URL signed for a minute; deleting at retention
time deletes the object."""

import datetime
import io
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest
import requests
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from moto.server import ThreadedMotoServer
from PIL import Image

from caflab.core.uploads import private_storage
from criees.models import Initiative, InitiativeFile, InitiativeImage
from ecoute.models import ExportJob
from ecoute.services.exports import export_build, export_request, exports_purge
from tests.criees.factories import InitiativeFactory
from tests.ecoute.factories import ConsultationFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF\n"
CREDENTIALS = {"aws_access_key_id": "caflab-test", "aws_secret_access_key": "caflab-test"}
REGION = "eu-west-3"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def s3_endpoint():
    """A real S3 server on loopback (moto's), for this module's tests."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3_storage(s3_endpoint, settings, monkeypatch):
    """The "private" storage switched to a fresh bucket of that server, as production settings
    do with PRIVATE_STORAGE_BACKEND=s3. Yields the bucket: (boto3 client, name)."""
    for proxy in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY"):
        monkeypatch.delenv(proxy, raising=False)  # loopback only
    bucket = f"caflab-{uuid.uuid4().hex[:12]}"
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name=REGION, **CREDENTIALS)
    client.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
    # pytest-django's `settings` sends `setting_changed`: Django empties its `storages` cache,
    # and caflab.core.uploads lets go of the storage `private_storage` stood for.
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": bucket,
                "endpoint_url": s3_endpoint,
                "region_name": REGION,
                "access_key": CREDENTIALS["aws_access_key_id"],
                "secret_key": CREDENTIALS["aws_secret_access_key"],
                "addressing_style": "path",
                "default_acl": "private",
                "querystring_auth": True,
                "querystring_expire": 60,
                "file_overwrite": False,
            },
        },
    }
    return client, bucket


def keys(bucket) -> list[str]:
    client, name = bucket
    return [item["Key"] for item in client.list_objects_v2(Bucket=name).get("Contents", [])]


@pytest.fixture
def draft(agent_a, caf_a):
    return InitiativeFactory(caf=caf_a, created_by=agent_a, status=Initiative.Status.DRAFT)


def add_file(client, initiative, name: str = "Bilan 2025.pdf", content: bytes = PDF):
    return client.post(
        reverse("criees:file-add", kwargs={"pk": initiative.pk}),
        {"fichier-file": SimpleUploadedFile(name, content)},
    )


def test_the_settings_switch_swaps_the_storage_of_the_file_fields(s3_storage):
    storage = InitiativeFile._meta.get_field("file").storage
    assert storage is private_storage
    assert type(storages["private"]).__name__ == "S3Storage"
    assert storage.bucket_name == s3_storage[1]


def test_an_uploaded_initiative_file_lands_in_the_bucket_as_a_private_object(
    client, agent_a, draft, s3_storage, settings, tmp_path
):
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path / "private-media")
    client.force_login(agent_a)

    assert add_file(client, draft).status_code == 302

    stored = InitiativeFile.objects.get()
    assert keys(s3_storage) == [stored.file.name]
    assert stored.file.name.startswith(f"criees/{draft.pk}/")
    assert "Bilan" not in stored.file.name
    s3, bucket = s3_storage
    assert s3.get_object(Bucket=bucket, Key=stored.file.name)["Body"].read() == PDF
    grants = s3.get_object_acl(Bucket=bucket, Key=stored.file.name)["Grants"]
    assert [grant["Permission"] for grant in grants] == ["FULL_CONTROL"]  # the owner only
    assert "URI" not in grants[0]["Grantee"]  # not AllUsers nor AuthenticatedUsers
    assert not (tmp_path / "private-media").exists()  # nothing on this node's disk


def test_an_allowed_user_is_redirected_to_a_signed_url_that_serves_the_file(
    client, agent_a, correspondent_a, draft, s3_storage, s3_endpoint
):
    client.force_login(agent_a)
    add_file(client, draft, name="Bilan été 2025.pdf")
    url = reverse("criees:file", kwargs={"pk": InitiativeFile.objects.get().pk})

    client.force_login(correspondent_a)  # sees the draft of their Caf
    response = client.get(url)

    assert response.status_code == 302
    assert response["Cache-Control"] == "private, no-store"
    location = response["Location"]
    assert location.startswith(f"{s3_endpoint}/{s3_storage[1]}/criees/")
    query = parse_qs(urlsplit(location).query)
    assert query["X-Amz-Expires"] == ["60"]
    assert query["X-Amz-Signature"]
    fetched = requests.get(location, timeout=10)
    assert fetched.status_code == 200
    assert fetched.content == PDF
    assert fetched.headers["Content-Type"] == "application/pdf"
    assert fetched.headers["Content-Disposition"].startswith("attachment;")
    assert (
        "filename*=utf-8''Bilan_%C3%A9t%C3%A9_2025.pdf" in (fetched.headers["Content-Disposition"])
    )


def test_a_user_who_may_not_see_the_file_gets_404_and_no_url(
    client, agent_a, agent_b, citizen, draft, s3_storage, s3_endpoint
):
    client.force_login(agent_a)
    add_file(client, draft)
    url = reverse("criees:file", kwargs={"pk": InitiativeFile.objects.get().pk})

    for outsider in (agent_b, citizen):  # another Caf's agent; a citizen
        client.force_login(outsider)
        response = client.get(url)
        assert response.status_code in (403, 404)
        assert "Location" not in response
        assert s3_endpoint.encode() not in response.content
        assert b"X-Amz-Signature" not in response.content
    client.force_login(agent_b)
    assert client.get(url).status_code == 404


def test_a_file_missing_from_the_bucket_is_404(client, agent_a, draft, s3_storage):
    client.force_login(agent_a)
    add_file(client, draft)
    stored = InitiativeFile.objects.get()
    s3, bucket = s3_storage
    s3.delete_object(Bucket=bucket, Key=stored.file.name)

    assert client.get(reverse("criees:file", kwargs={"pk": stored.pk})).status_code == 404


def test_images_are_cleaned_into_the_bucket_and_shown_from_our_origin(
    client, agent_a, draft, s3_storage
):
    client.force_login(agent_a)
    photo = io.BytesIO()
    Image.new("RGB", (2400, 1200), (40, 120, 90)).save(photo, "JPEG")
    client.post(
        reverse("criees:image-add", kwargs={"pk": draft.pk}),
        {"image-file": SimpleUploadedFile("a.jpg", photo.getvalue()), "image-alt_text": "Un"},
    )
    image = InitiativeImage.objects.get()
    assert sorted(keys(s3_storage)) == sorted([image.file.name, image.web_file.name])
    src = reverse("criees:image", kwargs={"pk": image.pk})

    shown = client.get(src)  # in an <img>: the CSP takes images from our origin only
    assert shown.status_code == 200
    assert Image.open(io.BytesIO(b"".join(shown.streaming_content))).size == (1600, 800)
    original = client.get(f"{src}?original=1")
    assert original.status_code == 302
    fetched = requests.get(original["Location"], timeout=10)
    assert Image.open(io.BytesIO(fetched.content)).size == (2400, 1200)


def test_the_export_purge_deletes_the_object_from_the_bucket(client, lab_staff, s3_storage):
    questionnaire = ConsultationFactory(owner=lab_staff).questionnaire
    job = export_request(questionnaire=questionnaire, by=lab_staff, fmt="csv")
    export_build(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.READY
    assert keys(s3_storage) == [job.file.name]
    client.force_login(lab_staff)
    download = client.get(reverse("ecoute:export-download", kwargs={"pk": job.pk}))
    assert download.status_code == 302
    assert requests.get(download["Location"], timeout=10).status_code == 200

    assert exports_purge(now=timezone.now() + datetime.timedelta(days=6)) == 0
    assert keys(s3_storage) == [job.file.name]
    assert exports_purge(now=timezone.now() + datetime.timedelta(days=8)) == 1

    assert keys(s3_storage) == []
    assert not ExportJob.objects.exists()


def test_names_are_never_overwritten_in_the_bucket(s3_storage):
    first = private_storage.save("essai/note.pdf", ContentFile(b"%PDF-1 first"))
    second = private_storage.save("essai/note.pdf", ContentFile(b"%PDF-1 second"))
    assert first != second
    assert sorted(keys(s3_storage)) == sorted([first, second])


def private_storage_setting(**variables: str) -> subprocess.CompletedProcess:
    """caflab.settings' "private" storage, read by a fresh interpreter with these variables."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "PRIVATE_STORAGE"))}
    env.update(DEBUG="1", DJANGO_SETTINGS_MODULE="caflab.settings", **variables)
    code = "import json, caflab.settings as s; print(json.dumps(s.STORAGES['private']))"
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


def test_the_settings_choose_the_local_directory_unless_a_bucket_is_named():
    local = private_storage_setting(PRIVATE_STORAGE_BACKEND="")
    assert json.loads(local.stdout) == {"BACKEND": "caflab.core.uploads.PrivateStorage"}

    s3 = private_storage_setting(
        AWS_STORAGE_BUCKET_NAME="caflab-prive",
        AWS_S3_ENDPOINT_URL="https://s3.fr-par.scw.cloud",
        AWS_S3_REGION_NAME="fr-par",
    )
    storage = json.loads(s3.stdout)
    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    options = storage["OPTIONS"]
    assert options["bucket_name"] == "caflab-prive"
    assert options["endpoint_url"] == "https://s3.fr-par.scw.cloud"
    assert options["default_acl"] == "private"
    assert options["querystring_auth"] is True
    assert options["querystring_expire"] == 60
    assert options["file_overwrite"] is False

    unnamed = private_storage_setting(PRIVATE_STORAGE_BACKEND="s3")
    assert unnamed.returncode != 0
    assert "AWS_STORAGE_BUCKET_NAME" in unnamed.stderr
