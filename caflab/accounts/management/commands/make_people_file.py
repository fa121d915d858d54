"""`python manage.py make_people_file OUT.csv --lines 36000`: a fictitious people file of the
network's size, to measure `import_people` (agents spread over the 101 Caf, a few correspondents
and directorate members)."""

import csv
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from caflab.network.models import Caf, Directorate


class Command(BaseCommand):
    help = "Écrit un fichier de personnes fictives pour mesurer l'import."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("out", help="Fichier CSV à écrire.")
        parser.add_argument("--lines", type=int, default=36_000)

    def handle(self, *args: Any, **options: Any) -> None:
        cafs = list(Caf.objects.values_list("code", flat=True))
        directorates = list(Directorate.objects.values_list("acronym", flat=True))
        with open(options["out"], "w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out, delimiter=";")
            writer.writerow(["e-mail", "prénom", "nom", "rôle", "Caf", "direction"])
            for n in range(options["lines"]):
                caf = cafs[n % len(cafs)]
                if directorates and n % 500 == 499:
                    row = ["direction", "", directorates[n % len(directorates)]]
                elif n % 100 == 99:
                    row = ["correspondant innovation", caf, ""]
                else:
                    row = ["agent de Caf", caf, ""]
                email = f"agent{n:05d}@caf{caf.lower()}.example"
                writer.writerow([email, "Camille", f"Essai{n:05d}", *row])
        self.stdout.write(f"{options['lines']} lignes écrites dans {options['out']}")
