"""French language processing for suggested themes: lemmas (spaCy's `fr_core_news_sm`, or a
plain lower-case tokenizer when spaCy or its model is missing), near-duplicate groups (MinHash
over character shingles) and themes (TF-IDF, then scikit-learn's NMF).

Pure functions of lists of strings: no model of ours is read here. Deterministic: the same
texts in the same order give the same groups and the same themes (NMF's `nndsvd`
initialisation and a fixed `random_state`, hashes that do not depend on the process).
"""

import importlib.util
import logging
import re
import zlib
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from analysis.masking import fold

logger = logging.getLogger(__name__)

SPACY_MODEL = "fr_core_news_sm"
BATCH_SIZE = 256
# The texts the full pipeline lemmatises; the others reuse what it learnt (see `lemmatise`).
LEMMA_SAMPLE = 3000
MAX_CHARS = 1000  # a text's first characters are enough to place it in a theme
RANDOM_STATE = 2026

# Used by the fallback tokenizer (spaCy has its own list), accents folded.
FRENCH_STOP_WORDS = frozenset(
    fold(word)
    for word in [
        "a",
        "afin",
        "ai",
        "aie",
        "aient",
        "ainsi",
        "alors",
        "au",
        "aucun",
        "aucune",
        "aupres",
        "aussi",
        "autre",
        "autres",
        "aux",
        "avec",
        "avoir",
        "avons",
        "avez",
        "bien",
        "c",
        "ca",
        "car",
        "ce",
        "ceci",
        "cela",
        "celle",
        "celles",
        "celui",
        "cependant",
        "certains",
        "ces",
        "cet",
        "cette",
        "ceux",
        "chaque",
        "chez",
        "ci",
        "comme",
        "comment",
        "d",
        "dans",
        "de",
        "des",
        "deja",
        "depuis",
        "dont",
        "donc",
        "du",
        "elle",
        "elles",
        "en",
        "encore",
        "entre",
        "est",
        "et",
        "etaient",
        "etait",
        "ete",
        "etre",
        "eu",
        "eux",
        "fait",
        "faire",
        "faut",
        "fois",
        "font",
        "il",
        "ils",
        "j",
        "je",
        "jamais",
        "l",
        "la",
        "le",
        "les",
        "leur",
        "leurs",
        "lors",
        "lui",
        "m",
        "ma",
        "mais",
        "me",
        "meme",
        "mes",
        "moi",
        "moins",
        "mon",
        "n",
        "ne",
        "ni",
        "non",
        "nos",
        "notre",
        "nous",
        "on",
        "ont",
        "ou",
        "par",
        "parce",
        "pas",
        "peu",
        "peut",
        "plus",
        "pour",
        "pourquoi",
        "qu",
        "quand",
        "que",
        "quel",
        "quelle",
        "quelles",
        "quels",
        "qui",
        "quoi",
        "s",
        "sa",
        "sans",
        "se",
        "sera",
        "ses",
        "si",
        "sinon",
        "soit",
        "son",
        "sont",
        "sous",
        "souvent",
        "suis",
        "sur",
        "t",
        "ta",
        "te",
        "tes",
        "toi",
        "ton",
        "tous",
        "tout",
        "toute",
        "toutes",
        "tres",
        "tu",
        "un",
        "une",
        "vers",
        "voila",
        "vos",
        "votre",
        "vous",
        "y",
        "avoir",
        "etre",
        "faire",
        "aller",
        "pouvoir",
        "vouloir",
        "devoir",
        "falloir",
        "chose",
        "choses",
        "quelque",
        "beaucoup",
        "trop",
        "tres",
        "plus",
        "moins",
        "vraiment",
        "merci",
        "bonjour",
    ]
)
_WORD = re.compile(r"[^\W\d_]{3,}", re.UNICODE)
_KEPT_POS = {"NOUN", "PROPN", "VERB", "ADJ", "ADV"}

_pipelines: dict[str, object | None] = {}


def language_pipeline():
    """spaCy's French pipeline (setting ANALYSIS_SPACY_MODEL, `fr_core_news_sm` by default),
    loaded once per worker process without its parser and named entities (not needed for
    lemmas, and the slowest parts); None when spaCy or the model is not installed."""
    from django.conf import settings

    name = getattr(settings, "ANALYSIS_SPACY_MODEL", SPACY_MODEL)
    if name not in _pipelines:
        try:
            import spacy

            _pipelines[name] = spacy.load(name, disable=["parser", "ner"])
        except (ImportError, OSError):
            logger.warning("spaCy or %s missing: themes use plain lower-case words.", name)
            _pipelines[name] = None
    return _pipelines[name]


def is_language_pipeline_available() -> bool:
    """Whether spaCy and its French model are installed, without loading them: the themes page
    asks in a web request, where loading the pipeline took 15 s and hundreds of MB per process.
    A pipeline already loaded (in the worker) answers for itself."""
    from django.conf import settings

    name = getattr(settings, "ANALYSIS_SPACY_MODEL", SPACY_MODEL)
    if name in _pipelines:
        return _pipelines[name] is not None
    return importlib.util.find_spec("spacy") is not None and _package_installed(name)


def _package_installed(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def simple_tokens(text: str) -> list[str]:
    """The fallback: lower-case words of three letters or more, accents folded, no stop word."""
    return [w for w in _WORD.findall(fold(text[:MAX_CHARS])) if w not in FRENCH_STOP_WORDS]


def _kept_lemma(token) -> str:
    """The folded lemma of a content word, or "" for a word the themes leave out."""
    if not token.is_alpha or token.is_stop or token.pos_ not in _KEPT_POS:
        return ""
    lemma = fold(token.lemma_)
    return lemma if len(lemma) >= 3 and lemma not in FRENCH_STOP_WORDS else ""


def lemmatise(
    texts: Sequence[str], *, on_progress: Callable[[int], None] | None = None
) -> tuple[list[str], str]:
    """Each text as a space-separated string of its content words' lemmas, and the name of the
    tokenizer used ("spacy" or "simple").

    The full pipeline (tagger and lemmatizer) reads the first LEMMA_SAMPLE texts; it is the
    slow part (a few thousand words a second). What it learnt there, each word form's most
    frequent lemma (or that it is left out: a determiner, a pronoun…), lemmatises the rest
    after spaCy's tokenizer alone, twenty times faster; a form never seen keeps its folded
    self. Deterministic: the sample is the texts' first ones, ties go to the smallest lemma."""
    nlp = language_pipeline()
    docs: list[str] = []
    if nlp is None:
        for i, text in enumerate(texts, start=1):
            docs.append(" ".join(simple_tokens(text)))
            if on_progress and i % 5000 == 0:
                on_progress(i)
        return docs, "simple"
    seen: dict[str, Counter] = defaultdict(Counter)
    sample = [text[:MAX_CHARS] for text in texts[:LEMMA_SAMPLE]]
    for i, doc in enumerate(nlp.pipe(sample, batch_size=BATCH_SIZE), start=1):
        lemmas = []
        for token in doc:
            lemma = _kept_lemma(token)
            if token.is_alpha:
                seen[token.lower_][lemma] += 1
            if lemma:
                lemmas.append(lemma)
        docs.append(" ".join(lemmas))
        if on_progress and i % 1000 == 0:
            on_progress(i)
    lemma_of = {
        form: min(counts.items(), key=lambda item: (-item[1], item[0]))[0]
        for form, counts in seen.items()
    }
    rest = (text[:MAX_CHARS] for text in texts[LEMMA_SAMPLE:])
    for i, doc in enumerate(nlp.tokenizer.pipe(rest, batch_size=1000), start=len(docs) + 1):
        lemmas = []
        for token in doc:
            if not token.is_alpha or token.is_stop:
                continue
            lemma = lemma_of.get(token.lower_)
            if lemma is None:
                lemma = fold(token.lower_)
                lemma = lemma if len(lemma) >= 3 and lemma not in FRENCH_STOP_WORDS else ""
            if lemma:
                lemmas.append(lemma)
        docs.append(" ".join(lemmas))
        if on_progress and i % 5000 == 0:
            on_progress(i)
    return docs, "spacy"


# --- near-duplicates: MinHash over character shingles, LSH bands ------------------------------

SHINGLE = 5
N_HASHES = 64
BANDS = 16  # of 4 rows: pairs from about 50 % similar become candidates, then checked
NEAR_THRESHOLD = 0.8  # estimated Jaccard similarity of the shingle sets
# Universal hashing (a·x + b) mod p over 32-bit shingle hashes: with p < 2^32 the product fits
# in 64 bits, and each (a, b) behaves as an independent permutation.
_PRIME = np.uint64(4294967291)  # 2^32 - 5
_rng = np.random.RandomState(RANDOM_STATE)
_A = _rng.randint(1, 4294967291, size=N_HASHES, dtype=np.int64).astype(np.uint64)
_B = _rng.randint(0, 4294967291, size=N_HASHES, dtype=np.int64).astype(np.uint64)


def _signature(text: str) -> np.ndarray:
    compact = re.sub(r"[\W_]+", " ", fold(text)).strip()
    if len(compact) <= SHINGLE:
        shingles = {compact}
    else:
        shingles = {compact[i : i + SHINGLE] for i in range(len(compact) - SHINGLE + 1)}
    values = (
        np.fromiter(
            (zlib.crc32(s.encode()) for s in shingles), dtype=np.uint64, count=len(shingles)
        )
        % _PRIME
    )
    hashed = (values[:, None] * _A[None, :] + _B[None, :]) % _PRIME
    return hashed.min(axis=0)


def near_duplicate_groups(texts: Sequence[str]) -> list[int]:
    """For each text, the index of the first text of its group (itself when alone): texts whose
    shingle sets are at least NEAR_THRESHOLD similar, transitively."""
    parent = list(range(len(texts)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(i: int, j: int) -> None:
        ri, rj = root(i), root(j)
        if ri != rj:
            parent[max(ri, rj)] = min(ri, rj)

    signatures = [_signature(text) for text in texts]
    rows = N_HASHES // BANDS
    for band in range(BANDS):
        buckets: dict[bytes, int] = {}
        for i, signature in enumerate(signatures):
            key = signature[band * rows : (band + 1) * rows].tobytes()
            head = buckets.setdefault(key, i)
            # Compared with the bucket's first text only: a copy-paste campaign of thousands
            # costs one comparison per copy, not one per pair.
            if (
                head != i
                and root(head) != root(i)
                and np.mean(signatures[head] == signature) >= NEAR_THRESHOLD
            ):
                union(head, i)
    return [root(i) for i in range(len(texts))]


# --- themes: TF-IDF and NMF ---------------------------------------------------------------------

N_WORDS = 8
N_EXAMPLES = 5


@dataclass
class Theme:
    words: list[str]
    members: list[tuple[int, float]] = field(default_factory=list)  # (text index, weight)

    @property
    def examples(self) -> list[int]:
        ranked = sorted(self.members, key=lambda m: (-m[1], m[0]))
        return [index for index, _ in ranked[:N_EXAMPLES]]


def extract_themes(docs: Sequence[str], n_themes: int) -> list[Theme]:
    """At most `n_themes` themes of the lemmatised `docs`, largest first. Each text goes to the
    theme where its weight is highest (none if it has no word of the vocabulary)."""
    from sklearn.decomposition import NMF
    from sklearn.feature_extraction.text import TfidfVectorizer

    non_empty = [i for i, doc in enumerate(docs) if doc.strip()]
    if len(non_empty) < 2:
        return []
    vectorizer = TfidfVectorizer(
        analyzer=str.split,
        min_df=2 if len(non_empty) >= 20 else 1,
        max_df=0.7 if len(non_empty) >= 20 else 1.0,
        max_features=20000,
        sublinear_tf=True,
        dtype=np.float32,
    )
    try:
        matrix = vectorizer.fit_transform([docs[i] for i in non_empty])
    except ValueError:  # no word left after the frequency cuts
        return []
    vocabulary = vectorizer.get_feature_names_out()
    k = max(1, min(n_themes, matrix.shape[0] - 1, matrix.shape[1]))
    model = NMF(n_components=k, init="nndsvd", random_state=RANDOM_STATE, max_iter=300)
    weights = model.fit_transform(matrix)
    themes = [
        Theme(words=[str(vocabulary[j]) for j in np.argsort(-row, kind="stable")[:N_WORDS]])
        for row in model.components_
    ]
    best = weights.argmax(axis=1)
    for row, doc_index in enumerate(non_empty):
        weight = float(weights[row, best[row]])
        if weight > 0:
            themes[best[row]].members.append((doc_index, weight))
    themes = [theme for theme in themes if theme.members]
    themes.sort(key=lambda t: (-len(t.members), t.words))
    return themes
