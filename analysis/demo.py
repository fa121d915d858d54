"""Demo analysis: the welcome-desk consultation's open answers (about 600 of its 2,000
responses) gathered, coded with a small codebook by word filters applied in bulk, and a theme
run done, all through the real services. Skipped when the analysis exists (safe twice).

And the comments on a criée's initiatives (a source the criées register: this app imports
nothing of them, it asks the registry), the criée with the most comments, coded the same way."""

from typing import TextIO

from analysis.filters import TextFilter
from analysis.models import Analysis, AnalysisText, Code
from analysis.services import (
    analysis_create,
    analysis_create_for,
    code_create,
    codes_apply_bulk,
)
from analysis.services.themes import themes_request, themes_suggest
from analysis.sources import get_source
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


# The criées' comments source (criees.analysis_sources.COMMENTS) and its codebook:
# (code, shortcut, words that select its texts).
CRIEE_COMMENTS = "criee_comments"
COMMENTS_CODEBOOK = [
    ("Questions sur les moyens", "m", "combien"),
    ("Questions sur les moyens", "m", "cout"),
    ("Envie d’échanger", "e", "echanger"),
    ("Enthousiasme", "b", "bravo"),
    ("Enthousiasme", "b", "inspirant"),
]


def seed(stdout: TextIO) -> None:
    lab = User.objects.get(email="labo@caflab.demo")
    _seed_criee_comments(stdout, lab)
    consultation = Consultation.objects.filter(slug=SLUG).first()
    if consultation is None or Analysis.objects.filter(consultation=consultation).exists():
        return
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


def _seed_criee_comments(stdout: TextIO, lab: User) -> None:
    source = get_source(CRIEE_COMMENTS)
    if source is None or Analysis.objects.filter(source=CRIEE_COMMENTS).exists():
        return
    criees = list(source.model._default_manager.all())
    counts = {criee.pk: source.count(criee) for criee in criees}
    criee = max(criees, key=lambda c: (counts[c.pk], -c.pk), default=None)
    if criee is None or not counts[criee.pk]:
        return
    analysis = analysis_create_for(source=source, subject=criee, by=lab)
    texts = AnalysisText.objects.filter(analysis=analysis)
    codes: dict[str, Code] = {}
    coded = 0
    for label, shortcut, words in COMMENTS_CODEBOOK:
        if label not in codes:
            codes[label] = code_create(analysis=analysis, label=label, shortcut=shortcut)
        selection = TextFilter({"q": words, "groups": "tous"}, queryset=texts, analysis=analysis)
        coded += codes_apply_bulk(code=codes[label], texts=selection.qs, by=lab)
    stdout.write(
        f"  analyse des commentaires d'une criée : {analysis.n_texts} textes, {coded} codes"
    )
