"""Demo: the open-data files written once from the demo's public data (the nightly run does it
afterwards), so that /donnees-ouvertes/ lists its files at once."""

from typing import TextIO

from caflab.opendata.models import GenerationRun
from caflab.opendata.services import Result, generation_build


def seed(stdout: TextIO) -> None:
    run = GenerationRun.objects.create()
    outcome = generation_build(run_id=run.pk)
    if outcome == Result.READY:
        stdout.write(f"Données ouvertes : {run.files.count()} jeux écrits.")
    else:
        stdout.write(f"Données ouvertes : génération {outcome}.")
