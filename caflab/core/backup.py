"""Back up and restore the platform: the PostgreSQL database (a custom-format `pg_dump`) and
the private files (uploads, exports, reports), in one dated tar archive with a manifest that
records every table's row count and every file's checksum, so that a restore can be checked.

Private files on the local disk are copied into the archive; on an object store (S3), the
archive holds the bucket's listing (names, sizes, checksums) instead: the bucket is backed up by
the store's own versioning or replication, and the listing says what a restore must find there.
"""

import hashlib
import io
import json
import os
import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, Storage
from django.db import connection
from django.utils import timezone

MANIFEST = "manifest.json"
DUMP = "database.dump"
FILES = "private-files"


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why (in French, for operators)."""


@dataclass(frozen=True)
class Database:
    name: str
    user: str
    host: str
    port: str
    password: str

    @classmethod
    def from_settings(cls, config: dict[str, Any]) -> "Database":
        if "postgresql" not in config.get("ENGINE", ""):
            raise BackupError(
                "La sauvegarde et la restauration visent PostgreSQL (DATABASE_URL) ; la base "
                "SQLite de démonstration se copie comme un simple fichier."
            )
        return cls(
            name=config["NAME"],
            user=config.get("USER") or "",
            host=config.get("HOST") or "",
            port=str(config.get("PORT") or ""),
            password=config.get("PASSWORD") or "",
        )

    @classmethod
    def from_url(cls, url: str) -> "Database":
        import environ

        return cls.from_settings(environ.Env.db_url_config(url))

    def args(self) -> list[str]:
        args = ["--dbname", self.name]
        if self.user:
            args += ["--username", self.user]
        if self.host:
            args += ["--host", self.host]
        if self.port:
            args += ["--port", self.port]
        return args

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        if self.password:
            env["PGPASSWORD"] = self.password  # never on the command line (ps would show it)
        return env

    def connect(self):
        import psycopg

        return psycopg.connect(
            dbname=self.name,
            user=self.user or None,
            host=self.host or None,
            port=self.port or None,
            password=self.password or None,
            autocommit=True,
        )


def private_storage() -> Storage:
    """The storage of private files (the `private` alias when settings define one)."""
    from django.core.files.storage import InvalidStorageError, storages

    try:
        return storages["private"]
    except InvalidStorageError:
        from caflab.core.uploads import private_storage as legacy

        return legacy


def _program(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} est introuvable : installez postgresql-client.")
    return path


def _walk(storage: Storage, path: str = "") -> Iterator[str]:
    directories, files = storage.listdir(path)
    for name in sorted(files):
        yield f"{path}/{name}" if path else name
    for directory in sorted(directories):
        yield from _walk(storage, f"{path}/{directory}" if path else directory)


def _sha256(handle) -> str:
    digest = hashlib.sha256()
    for chunk in iter(lambda: handle.read(1024 * 1024), b""):
        digest.update(chunk)
    return digest.hexdigest()


def table_counts(db: Database) -> dict[str, int]:
    """Row count of every table of the public schema."""
    with db.connect() as conn:
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            )
        ]
        return {
            table: conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]  # noqa: S608 (names from pg_tables)
            for table in tables
        }


def backup_create(*, output_dir: Path, now: Any = None) -> Path:
    """Write `caflab-backup-YYYYmmdd-HHMMSS.tar` in `output_dir` and return its path."""
    db = Database.from_settings(settings.DATABASES["default"])
    connection.close()  # the dump sees what is committed, from its own connection
    stamp = (now or timezone.now()).strftime("%Y%m%d-%H%M%S")
    output_dir.mkdir(parents=True, exist_ok=True)
    archive_path = output_dir / f"caflab-backup-{stamp}.tar"
    storage = private_storage()
    local_files = isinstance(storage, FileSystemStorage)
    with tempfile.TemporaryDirectory(prefix="caflab-backup-") as work:
        dump = Path(work) / DUMP
        counts = table_counts(db)
        try:
            subprocess.run(  # noqa: S603 (fixed program, arguments from settings)
                [
                    _program("pg_dump"),
                    "--format=custom",
                    "--no-owner",
                    "--no-privileges",
                    "--file",
                    str(dump),
                    *db.args(),
                ],
                check=True,
                env=db.env(),
                capture_output=True,
            )
        except subprocess.CalledProcessError as error:
            raise BackupError(f"pg_dump a échoué : {error.stderr.decode()[-500:]}") from error
        files: dict[str, dict[str, Any]] = {}
        with tarfile.open(archive_path, "w") as archive:
            archive.add(dump, arcname=DUMP)
            for name in _walk(storage):
                with storage.open(name, "rb") as handle:
                    data = handle.read()
                files[name] = {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
                if local_files:
                    info = tarfile.TarInfo(f"{FILES}/{name}")
                    info.size = len(data)
                    info.mtime = int(timezone.now().timestamp())
                    archive.addfile(info, io.BytesIO(data))
            manifest = {
                "format": 1,
                "created_at": timezone.now().isoformat(),
                "database": db.name,
                "tables": counts,
                "files": files,
                "files_in_archive": local_files,
                "app_version": settings.APP_VERSION,
            }
            body = json.dumps(manifest, indent=2, sort_keys=True).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(body)
            info.mtime = int(timezone.now().timestamp())
            archive.addfile(info, io.BytesIO(body))
    return archive_path


@dataclass
class RestoreReport:
    tables_checked: int
    table_mismatches: dict[str, tuple[int, int]]
    files_restored: int
    file_mismatches: list[str]

    @property
    def ok(self) -> bool:
        return not self.table_mismatches and not self.file_mismatches


def backup_restore(
    *, archive_path: Path, database_url: str | None = None, storage: Storage | None = None
) -> RestoreReport:
    """Restore `archive_path` into an EMPTY database (`database_url`, else the configured one)
    and the private storage, then compare row counts and file checksums with the manifest."""
    db = (
        Database.from_url(database_url)
        if database_url
        else Database.from_settings(settings.DATABASES["default"])
    )
    storage = storage or private_storage()
    with db.connect() as conn:
        existing = conn.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
        ).fetchone()[0]
    if existing:
        raise BackupError(
            f"La base « {db.name} » n'est pas vide ({existing} tables) : la restauration se "
            "fait dans une base neuve (createdb), jamais par-dessus des données."
        )
    with (
        tempfile.TemporaryDirectory(prefix="caflab-restore-") as work,
        tarfile.open(archive_path) as archive,
    ):
        manifest = json.loads(archive.extractfile(MANIFEST).read())
        archive.extract(DUMP, work, filter="data")
        try:
            subprocess.run(  # noqa: S603 (fixed program, arguments from settings)
                [
                    _program("pg_restore"),
                    "--no-owner",
                    "--no-privileges",
                    "--exit-on-error",
                    *db.args(),
                    str(Path(work) / DUMP),
                ],
                check=True,
                env=db.env(),
                capture_output=True,
            )
        except subprocess.CalledProcessError as error:
            raise BackupError(f"pg_restore a échoué : {error.stderr.decode()[-500:]}") from error
        restored = 0
        if manifest.get("files_in_archive"):
            for member in archive.getmembers():
                if not member.isfile() or not member.name.startswith(f"{FILES}/"):
                    continue
                name = member.name[len(FILES) + 1 :]
                if ".." in Path(name).parts:
                    raise BackupError(f"Nom de fichier refusé dans l'archive : {name}")
                if storage.exists(name):
                    storage.delete(name)
                storage.save(name, ContentFile(archive.extractfile(member).read()))
                restored += 1
    counts = table_counts(db)
    mismatches = {
        table: (expected, counts.get(table, -1))
        for table, expected in manifest["tables"].items()
        if counts.get(table, -1) != expected
    }
    file_mismatches = []
    for name, expected in manifest["files"].items():
        if not storage.exists(name):
            file_mismatches.append(name)
            continue
        with storage.open(name, "rb") as handle:
            if _sha256(handle) != expected["sha256"]:
                file_mismatches.append(name)
    return RestoreReport(len(manifest["tables"]), mismatches, restored, file_mismatches)
