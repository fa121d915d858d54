"""`manage.py bench_themes --answers 2000 20000`: time and peak memory of suggested themes."""

from django.core.management.base import BaseCommand

from analysis.bench import bench


class Command(BaseCommand):
    help = "Mesure le calcul des thèmes suggérés sur des réponses synthétiques d'environ 30 mots."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--answers", type=int, nargs="+", default=[2000])
        parser.add_argument("--themes", type=int, default=8)

    def handle(self, *args, answers: list[int], themes: int, **options) -> None:
        for n in answers:
            r = bench(n, themes)
            self.stdout.write(
                f"{r.answers} réponses ({r.groups} distinctes, {r.lemmatiser}) : "
                f"{r.seconds_total:.1f} s (doublons {r.seconds_duplicates:.1f} s, "
                f"lemmes {r.seconds_lemmas:.1f} s, thèmes {r.seconds_themes:.1f} s) "
                f"+ chargement {r.seconds_load:.1f} s une fois par processus ; "
                f"{r.themes} thèmes ; mémoire max du processus {r.max_rss_mb:.0f} Mo"
            )
