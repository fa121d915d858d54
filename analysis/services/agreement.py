"""Quality of coding: two people code the same random sample of texts blind (BlindCoding, apart
from the consolidated codes the results count), and CafLab shows their agreement per code as
Cohen's kappa, with the disagreements to settle.

For a code and two coders, each text both of them coded is a pair of yes/no answers ("the code
applies"): a = both yes, b = first only, c = second only, d = both no, n = a + b + c + d. The
observed agreement is po = (a + d) / n, the agreement expected by chance from each coder's own
rate is pe = ((a + b)(a + c) + (c + d)(b + d)) / n², and kappa = (po − pe) / (1 − pe): 1 is
perfect agreement, 0 what chance alone would give, below 0 worse than chance. When neither coder
varies (both said no, or both yes, to every text) pe = 1 and kappa is not defined. This is
scikit-learn's `cohen_kappa_score` for two labels, computed here without loading it in the web
process (tests/analysis/test_agreement.py checks both give the same values)."""

import random
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from analysis.models import Analysis, AnalysisText, BlindCoding, Code
from caflab.accounts.models import User
from caflab.core.errors import InvalidState
from caflab.core.numbers import fr_number

DEFAULT_SAMPLE = 50
MAX_SAMPLE = 500
# The disagreements listed on the page (the rest: their number).
MAX_DISAGREEMENTS = 50
# Reading kappa (after Landis and Koch, grouped in three).
WEAK_BELOW, STRONG_FROM = 0.4, 0.6
LEVELS = {
    "weak": gettext_lazy("accord faible"),
    "medium": gettext_lazy("accord moyen"),
    "strong": gettext_lazy("accord fort"),
    "undefined": gettext_lazy("non calculable"),
}


def kappa(a: int, b: int, c: int, d: int) -> float | None:
    """Cohen's kappa of a 2 × 2 table (see the module's docstring); None when undefined."""
    n = a + b + c + d
    if not n:
        return None
    po = (a + d) / n
    pe = ((a + b) * (a + c) + (c + d) * (b + d)) / (n * n)
    if pe >= 1:
        return None
    return (po - pe) / (1 - pe)


def level(value: float | None) -> str:
    if value is None:
        return "undefined"
    if value < WEAK_BELOW:
        return "weak"
    return "medium" if value < STRONG_FROM else "strong"


@dataclass
class CodeAgreement:
    code: Code
    both: int  # a: both coders applied it
    first_only: int  # b
    second_only: int  # c
    neither: int  # d
    kappa: float | None

    @property
    def n(self) -> int:
        return self.both + self.first_only + self.second_only + self.neither

    @property
    def observed(self) -> str:
        return f"{fr_number(100 * (self.both + self.neither) / self.n, 0)} %" if self.n else "–"

    @property
    def kappa_display(self) -> str:
        return "–" if self.kappa is None else fr_number(self.kappa, 2)

    @property
    def level(self) -> str:
        return level(self.kappa)

    @property
    def level_label(self) -> str:
        return str(LEVELS[self.level])


@dataclass
class Disagreement:
    text: AnalysisText
    code: Code
    by: User  # the coder who applied it (the other did not)


@dataclass
class Agreement:
    first: User
    second: User
    n_texts: int  # texts both coded
    rows: list[CodeAgreement]
    disagreements: list[Disagreement] = field(default_factory=list)
    n_disagreements: int = 0


def coders(analysis: Analysis) -> QuerySet[User]:
    """The people who coded texts of `analysis` blind (one query)."""
    return User.objects.filter(
        pk__in=BlindCoding.objects.filter(text__analysis=analysis).values("coder_id")
    ).order_by("last_name", "first_name", "pk")


@transaction.atomic
def sample_draw(*, analysis: Analysis, size: int, seed: int | None = None) -> int:
    """Draw `size` texts at random (one per group of duplicates) for blind double coding.
    Refused once someone coded the sample: a new draw would change what they were comparing.
    Returns the number of texts drawn."""
    Analysis.objects.select_for_update().get(pk=analysis.pk)
    if BlindCoding.objects.filter(text__analysis=analysis).exists():
        raise InvalidState(
            _("L’échantillon est déjà en cours de double codage : il ne peut plus être tiré.")
        )
    size = max(1, min(MAX_SAMPLE, size))
    texts = AnalysisText.objects.filter(analysis=analysis)
    ids = list(texts.representatives().order_by("pk").values_list("pk", flat=True))
    chosen = random.Random(seed).sample(ids, min(size, len(ids)))
    texts.filter(in_sample=True).update(in_sample=False)
    return texts.filter(pk__in=chosen).update(in_sample=True)


def blind_coding_save(*, text: AnalysisText, coder: User, codes: list[Code]) -> BlindCoding:
    """Record `coder`'s codes for `text` (none: they found none applies), replacing their
    previous ones. A text of the sample only, codes of its analysis only."""
    if not text.in_sample:
        raise InvalidState(_("Ce texte ne fait pas partie de l’échantillon de double codage."))
    if any(code.analysis_id != text.analysis_id for code in codes):
        raise InvalidState(_("Ce code n’appartient pas à l’analyse de ce texte."))
    with transaction.atomic():
        try:
            with transaction.atomic():
                coding, _created = BlindCoding.objects.update_or_create(
                    text=text, coder=coder, defaults={"at": timezone.now()}
                )
        except IntegrityError:  # the same person saving twice at once: the other save wins
            coding = BlindCoding.objects.get(text=text, coder=coder)
        coding.codes.set(codes)
    return coding


def agreement(*, analysis: Analysis, first: User, second: User) -> Agreement:
    """Per code of `analysis`, the kappa between `first` and `second` over the texts both coded
    blind, and the disagreements (the first MAX_DISAGREEMENTS). Four queries whatever the
    sizes (the sample is at most MAX_SAMPLE texts)."""
    codes = list(analysis.codes.select_related("parent").order_by("position", "pk"))
    codings = BlindCoding.objects.filter(text__analysis=analysis, coder__in=[first, second])
    coded_by: dict[int, set[int]] = {}
    for text_id, coder_id in codings.values_list("text_id", "coder_id"):
        coded_by.setdefault(text_id, set()).add(coder_id)
    shared = sorted(t for t, who in coded_by.items() if len(who) == 2)
    applied: dict[tuple[int, int], set[int]] = {}  # (text, code) → coders who applied it
    for text_id, coder_id, code_id in BlindCoding.codes.through.objects.filter(
        blindcoding__in=codings.filter(text_id__in=shared)
    ).values_list("blindcoding__text_id", "blindcoding__coder_id", "code_id"):
        applied.setdefault((text_id, code_id), set()).add(coder_id)
    rows = []
    disagreeing: list[tuple[int, Code, int]] = []
    for code in codes:
        a = b = c = 0
        for text_id in shared:
            who = applied.get((text_id, code.pk), set())
            if len(who) == 2:
                a += 1
            elif first.pk in who:
                b += 1
                disagreeing.append((text_id, code, first.pk))
            elif second.pk in who:
                c += 1
                disagreeing.append((text_id, code, second.pk))
        d = len(shared) - a - b - c
        rows.append(CodeAgreement(code, a, b, c, d, kappa(a, b, c, d)))
    shown = disagreeing[:MAX_DISAGREEMENTS]
    texts = AnalysisText.objects.in_bulk({t for t, _code, _by in shown}) if shown else {}
    people = {first.pk: first, second.pk: second}
    return Agreement(
        first,
        second,
        len(shared),
        rows,
        [Disagreement(texts[t], code, people[by]) for t, code, by in shown],
        len(disagreeing),
    )
