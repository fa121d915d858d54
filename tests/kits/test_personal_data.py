""" "My data", kit side: the documents, versions, checks and fiches bearing a person's name are
in their download; erasing the account keeps them all (a project's evidence) without the name."""

import pytest

from caflab.accounts import personal_data
from kits.models import Document, DocumentVersion
from kits.services.documents import document_add
from projects.models import Stage
from tests.kits.factories import pdf
from tests.projects.factories import ProjectFactory

pytestmark = pytest.mark.django_db


def test_uploads_are_in_my_data_and_kept_without_the_uploader_on_erasure(
    agent_a, lab_staff, settings, tmp_path
):
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path / "private-media")
    project = ProjectFactory(lead=lab_staff, stage=Stage.PROTOTYPE)
    document = document_add(
        holder=project, kind="test_protocol", title="Protocole", upload=pdf(), by=agent_a
    )
    (section,) = [s for s in personal_data.sections() if s.key == "kits.activity"]
    assert {row["Intitulé"] for row in section.export(agent_a)} == {"Protocole", "protocole.pdf"}

    personal_data.account_erase(user=agent_a)
    document.refresh_from_db()
    assert document.created_by is None
    assert DocumentVersion.objects.get().uploaded_by is None
    assert Document.objects.count() == 1
