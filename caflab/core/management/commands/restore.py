"""`manage.py restore ARCHIVE [--database-url URL]`: restore a backup into an empty database,
then check every table's row count and every file's checksum against the archive's manifest."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from caflab.core.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = "Restaure une sauvegarde dans une base vide et vérifie tables et fichiers."

    def add_arguments(self, parser) -> None:
        parser.add_argument("archive", help="archive écrite par `manage.py backup`")
        parser.add_argument(
            "--database-url",
            default=None,
            help="base cible (vide) ; par défaut celle de DATABASE_URL",
        )

    def handle(self, *args, archive: str, database_url: str | None, **options) -> None:
        path = Path(archive)
        if not path.is_file():
            raise CommandError(f"Archive introuvable : {path}")
        try:
            report = backup_restore(archive_path=path, database_url=database_url)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"{report.tables_checked} tables vérifiées, {report.files_restored} fichiers restaurés."
        )
        for table, (expected, found) in sorted(report.table_mismatches.items()):
            self.stderr.write(f"  table {table} : {expected} lignes attendues, {found} trouvées")
        for name in report.file_mismatches:
            self.stderr.write(f"  fichier absent ou différent : {name}")
        if not report.ok:
            raise CommandError("La restauration ne correspond pas à la sauvegarde.")
        self.stdout.write(self.style.SUCCESS("Restauration conforme à la sauvegarde."))
