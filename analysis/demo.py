"""Demo analysis: the welcome-desk consultation's open answers (about 600 of its 2,000
responses) gathered, coded with a small codebook by word filters applied in bulk, and a theme
run done, all through the real services. Skipped when the analysis exists (safe twice)."""

from typing import TextIO

from analysis.filters import TextFilter
from analysis.models import Analysis, AnalysisText
from analysis.services import analysis_create, code_create, codes_apply_bulk
from analysis.services.themes import themes_request, themes_suggest
from caflab.accounts.models import User
from ecoute.models import Consultation

SLUG = "votre-accueil-a-la-caf"
# (theme, shortcut, definition, [(sub-theme, shortcut, words that select its texts)])
CODEBOOK = [
    (
        "Joindre la Caf",
        "j",
        "Les difficultés pour entrer en contact avec la Caf.",
        [
            ("Attente au téléphone", "1", "telephone"),
            ("Accueil sans rendez-vous", "2", "sans rendez-vous"),
        ],
    ),
    (
        "Courriers et démarches",
        "c",
        "La clarté des courriers et le poids des démarches.",
        [
            ("Courriers peu clairs", "3", "courriers"),
            ("Pièces justificatives", "4", "pieces justificatives"),
        ],
    ),
    (
        "Suivi du dossier",
        "s",
        "Savoir où en est son dossier, avec qui.",
        [
            ("Un interlocuteur unique", "5", "meme conseiller"),
            ("Être prévenu", "6", "prevenu"),
        ],
    ),
]


def seed(stdout: TextIO) -> None:
    consultation = Consultation.objects.filter(slug=SLUG).first()
    if consultation is None or Analysis.objects.filter(consultation=consultation).exists():
        return
    lab = User.objects.get(email="labo@caflab.demo")
    analysis = analysis_create(consultation=consultation, by=lab)
    texts = AnalysisText.objects.filter(analysis=analysis)
    coded = 0
    for label, shortcut, definition, children in CODEBOOK:
        theme = code_create(
            analysis=analysis, label=label, shortcut=shortcut, definition=definition
        )
        for child_label, child_shortcut, words in children:
            code = code_create(
                analysis=analysis,
                parent=theme,
                label=child_label,
                shortcut=child_shortcut,
                example="",
                definition="",
            )
            selection = TextFilter(
                {"q": words, "groups": "tous"}, queryset=texts, analysis=analysis
            )
            coded += codes_apply_bulk(code=code, texts=selection.qs, by=lab)
    run = themes_request(analysis=analysis, by=lab, n_themes=6)
    themes_suggest(run_id=run.pk)
    analysis.refresh_from_db()
    stdout.write(f"  analyse : {analysis.n_texts} textes, {coded} codes appliqués, thèmes suggérés")
