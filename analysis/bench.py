"""A benchmark of suggested themes on synthetic French answers of about 30 words: the time and
the peak memory (the process' maximum resident set) of a theme run's pipeline (near-duplicates,
lemmas, TF-IDF and NMF), without the database. `manage.py bench_themes --answers 2000 20000`."""

import random
import resource
import time
from dataclasses import dataclass

from analysis import nlp

SUBJECTS = [
    "attente téléphone conseiller joindre heure répondre injoignable appel décrocher patienter",
    "courrier comprendre compliqué vocabulaire administratif lettre clair incompréhensible",
    "accueil horaires samedi ouverture agence rendez-vous fermer soir guichet",
    "dossier suivi délai traitement retard nouvelles avancer attendre réponse",
    "pièces justificatives envoyer documents scanner renvoyer perdre demander papier",
    "site internet application connexion espace personnel bug mot de passe démarche",
    "aide logement montant calcul baisse loyer déclarer ressources trimestre",
    "enfants garde crèche assistante maternelle place famille parent travailler",
]
FILLERS = [
    "je",
    "pense",
    "que",
    "il",
    "faudrait",
    "vraiment",
    "pour",
    "nous",
    "les",
    "familles",
    "car",
    "depuis",
    "plusieurs",
    "mois",
    "mais",
    "aussi",
    "parfois",
    "toujours",
    "jamais",
    "encore",
    "beaucoup",
    "trop",
    "souvent",
    "simplement",
]


def synthetic_answers(n: int, *, words: int = 30, seed: int = 2026) -> list[str]:
    rng = random.Random(seed)
    vocabularies = [subject.split() for subject in SUBJECTS]
    texts = []
    for _ in range(n):
        main, other = rng.sample(vocabularies, 2)
        chosen = [
            rng.choice(main) if r < 0.55 else rng.choice(other) if r < 0.7 else rng.choice(FILLERS)
            for r in (rng.random() for _ in range(words))
        ]
        texts.append(" ".join(chosen).capitalize() + ".")
    return texts


@dataclass
class BenchResult:
    answers: int
    groups: int
    themes: int
    lemmatiser: str
    seconds_load: float
    seconds_duplicates: float
    seconds_lemmas: float
    seconds_themes: float
    max_rss_mb: float

    @property
    def seconds_total(self) -> float:
        return self.seconds_duplicates + self.seconds_lemmas + self.seconds_themes


def bench(n: int, n_themes: int = 8) -> BenchResult:
    texts = synthetic_answers(n)
    started = time.monotonic()
    nlp.language_pipeline()  # once per worker process: counted apart
    import sklearn.decomposition  # noqa: F401  (its import too)

    loaded = time.monotonic()
    heads = nlp.near_duplicate_groups(texts)
    distinct = [text for i, text in enumerate(texts) if heads[i] == i]
    grouped = time.monotonic()
    docs, lemmatiser = nlp.lemmatise(distinct)
    lemmatised = time.monotonic()
    themes = nlp.extract_themes(docs, n_themes)
    done = time.monotonic()
    return BenchResult(
        answers=n,
        groups=len(distinct),
        themes=len(themes),
        lemmatiser=lemmatiser,
        seconds_load=loaded - started,
        seconds_duplicates=grouped - loaded,
        seconds_lemmas=lemmatised - grouped,
        seconds_themes=done - lemmatised,
        max_rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    )
