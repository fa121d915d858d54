"""Backup and restore, for real: seed, back up with pg_dump, restore into a scratch PostgreSQL
database with pg_restore, compare the row count of every table and a private file's checksum."""

import hashlib
import tarfile

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.db import connection

from caflab.core.backup import (
    Database,
    backup_create,
    backup_restore,
    private_storage,
    table_counts,
)
from tests.accounts.factories import UserFactory
from tests.projects.factories import ProjectFactory

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="pg_dump and pg_restore need PostgreSQL"
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def scratch_database(settings):
    """An empty database beside the test database, dropped afterwards."""
    source = Database.from_settings(settings.DATABASES["default"])
    name = f"{source.name}_restore"
    admin = Database(
        name="postgres", **{k: getattr(source, k) for k in ("user", "host", "port", "password")}
    )
    with admin.connect() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    user = f"{source.user}@" if source.user else ""
    yield f"postgres://{user}{source.host or '127.0.0.1'}:{source.port or 5432}/{name}"
    with admin.connect() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_backup_restores_into_an_empty_database_with_every_row_and_file(
    tmp_path, scratch_database, lab_staff, caf_a
):
    UserFactory.create_batch(3)
    ProjectFactory(lead=lab_staff, pilot_caf=caf_a)
    storage = private_storage()
    name = storage.save("sauvegarde/compte-rendu.txt", ContentFile(b"Compte rendu de l'atelier"))
    expected_counts = table_counts(Database.from_settings(connection.settings_dict))

    archive = backup_create(output_dir=tmp_path)
    storage.delete(name)  # the restore must bring it back
    report = backup_restore(archive_path=archive, database_url=scratch_database)

    assert report.ok, report
    assert report.tables_checked == len(expected_counts)
    assert table_counts(Database.from_url(scratch_database)) == expected_counts
    assert expected_counts["accounts_user"] >= 4
    with storage.open(name, "rb") as handle:
        restored = handle.read()
    assert (
        hashlib.sha256(restored).hexdigest()
        == hashlib.sha256(b"Compte rendu de l'atelier").hexdigest()
    )
    with tarfile.open(archive) as tar:
        assert {"manifest.json", "database.dump"} <= set(tar.getnames())
    assert archive.name.startswith("caflab-backup-")


def test_a_restore_refuses_a_database_that_is_not_empty(tmp_path):
    archive = backup_create(output_dir=tmp_path)

    with pytest.raises(CommandError, match="n'est pas vide"):
        call_command("restore", str(archive))
