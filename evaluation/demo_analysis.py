"""Demo: the open answers of a demo project's survey analysed (analysis of texts) through the
real services, a small codebook applied by words, so the demo impact report shows "Ce que
disent les témoignages et les enquêtes". Skipped when the analysis already has codes."""

from typing import TextIO

from analysis.models import AnalysisText
from analysis.services import analysis_create_for, code_create, codes_apply_bulk
from evaluation.analysis_sources import EVALUATION_SURVEY
from projects.models import Project

# (code, words of the folded text that give it)
CODEBOOK = [
    ("Horaires du samedi", "samedi"),
    ("Courriers plus simples", "courrier"),
    ("Interprétariat", "interprete"),
    ("Rappel plus rapide", "rappele"),
]


def seed_survey_analysis(project: Project, stdout: TextIO) -> None:
    survey = project.surveys.order_by("pk").first()
    if survey is None:
        return
    analysis = analysis_create_for(source=EVALUATION_SURVEY, subject=survey, by=project.lead)
    if analysis.codes.exists():
        return
    texts = AnalysisText.objects.filter(analysis=analysis)
    coded = 0
    for label, word in CODEBOOK:
        code = code_create(analysis=analysis, label=label)
        coded += codes_apply_bulk(
            code=code, texts=texts.filter(folded__contains=word), by=project.lead
        )
    stdout.write(f"  analyse de l'enquête de {project.code} : {coded} codes appliqués\n")
