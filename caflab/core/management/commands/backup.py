"""`manage.py backup [--output DIR]`: a dated archive of the database and the private files."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from caflab.core.backup import BackupError, backup_create


class Command(BaseCommand):
    help = "Sauvegarde la base PostgreSQL et les fichiers privés dans une archive datée."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--output", default="var/backups", help="dossier de l'archive")

    def handle(self, *args, output: str, **options) -> None:
        try:
            archive = backup_create(output_dir=Path(output))
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"Sauvegarde écrite : {archive}"))
