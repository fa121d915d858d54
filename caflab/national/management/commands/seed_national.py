"""`manage.py seed_national`: the national dataset for the benchmark (PostgreSQL only).

101 Caf (from the migrations), 30,000 agents and the other roles, 2,000 projects, 4,500
deployments, 20,000 ideas with 90,000 supports, 5,000 initiatives, four criées, 50
consultations (one with 100,000 responses), 50 evaluation plans with ~72,000 measurements,
notifications and six incubator calls (1,280 applications, their jury's scores, two cohorts).
Idempotent: a second run sees the data and does nothing; `--reset` deletes what it wrote and
seeds again. Deterministic (random.Random(2026)); `--scale 0.001` for tests."""

import time

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from caflab.core.numbers import fr_number
from caflab.national import dataset as national
from caflab.national.accounts import PASSWORD
from caflab.national.bulk import DOMAIN


class Command(BaseCommand):
    help = "Charge le jeu de données national (PostgreSQL uniquement) pour le banc de mesure."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--scale", type=float, default=1.0, help="Facteur de volume (1 = national)."
        )
        parser.add_argument(
            "--reset", action="store_true", help="Supprime le jeu national, puis le recharge."
        )

    def handle(self, *args, scale: float, reset: bool, **options) -> None:
        if connection.vendor != "postgresql":
            raise CommandError(
                "seed_national ne fonctionne qu'avec PostgreSQL (DATABASE_URL=postgres://…) : "
                "il écrit avec COPY. / seed_national needs PostgreSQL."
            )
        if not 0 < scale <= 1:
            raise CommandError("--scale doit être compris entre 0 (exclu) et 1.")
        log = self.stdout.write
        if reset:
            started = time.perf_counter()
            national.reset(log=log)
            log(f"Jeu national supprimé en {time.perf_counter() - started:.1f} s.")
        elif national.is_seeded():
            log(
                "Le jeu national est déjà chargé : rien à faire "
                "(--reset pour le supprimer et le recharger)."
            )
            return
        started = time.perf_counter()
        national.seed(scale=scale, log=log)
        elapsed = time.perf_counter() - started
        for table, count in national.counts().items():
            log(f"  {table}: {fr_number(count, grouping=True)}")
        log(
            self.style.SUCCESS(
                f"Jeu national chargé en {elapsed:.0f} s (comptes *{DOMAIN}, "
                f"mot de passe {PASSWORD})."
            )
        )
