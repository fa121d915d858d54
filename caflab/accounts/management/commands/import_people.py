"""`python manage.py import_people FILE`: create, update (and with --full deactivate) the
network's accounts from a CSV or XLSX file, with a line-by-line report in French."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from caflab.accounts.importing import ImportFileError, people_import, read_people_file
from caflab.accounts.models import User
from caflab.core.audit import audit_context


class Command(BaseCommand):
    help = "Importe les comptes du réseau depuis un fichier CSV ou XLSX."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="Fichier CSV (UTF-8 ou Windows-1252) ou XLSX.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Montrer ce qui changerait, sans rien écrire."
        )
        parser.add_argument(
            "--full",
            action="store_true",
            help="Désactiver les membres du réseau absents du fichier (jamais supprimés).",
        )
        parser.add_argument("--yes", action="store_true", help="Ne pas demander de confirmation.")
        parser.add_argument(
            "--no-invite", action="store_true", help="Ne pas envoyer d'invitation aux nouveaux."
        )
        parser.add_argument(
            "--by", default="", help="Adresse e-mail de l'administrateur qui importe (historique)."
        )
        parser.add_argument(
            "--quiet-lines",
            action="store_true",
            help="N'afficher que les lignes créées, modifiées ou refusées.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"Fichier introuvable : {path}")
        by = None
        if options["by"]:
            by = User.objects.filter(email=User.objects.normalize_email(options["by"])).first()
            if by is None:
                raise CommandError(f"Aucun compte pour l'adresse {options['by']}")
        try:
            columns, rows = read_people_file(path.read_bytes(), path.name)
            arguments = {
                "columns": columns,
                "rows": rows,
                "by": by,
                "full": options["full"],
                "invite": not options["no_invite"],
                "reason": f"Import du fichier « {path.name} »",
            }
            dry_run = options["dry_run"]
            if options["full"] and not dry_run and not options["yes"]:
                preview = people_import(**arguments, dry_run=True)
                self.stdout.write(preview.summary())
                answer = input(
                    f"Désactiver {preview.absent} compte(s) absent(s) du fichier ? [oui/non] "
                )
                if answer.strip().lower() not in ("o", "oui", "y", "yes"):
                    raise CommandError("Import annulé : rien n'a été enregistré.")
            # The rows the import changes are tied, in the audit trail, to who ran it.
            with audit_context(user=by.pk if by else None, url="manage.py import_people"):
                report = people_import(**arguments, dry_run=dry_run)
        except ImportFileError as error:
            raise CommandError(str(error)) from error
        for line in report.lines_for_display():
            if options["quiet_lines"] and line.outcome == "unchanged":
                continue
            style = self.style.ERROR if line.outcome == "refused" else (lambda text: text)
            self.stdout.write(style(str(line)))
        self.stdout.write(self.style.SUCCESS(report.summary()))
        if report.invited:
            self.stdout.write(f"{report.invited} invitation(s) envoyée(s).")
