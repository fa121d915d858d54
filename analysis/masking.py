"""Personal data typed into free text, masked in every quote and export: e-mail addresses,
French phone numbers, social-security numbers (NIR, only when their key checks out, so that
another long number is not taken for one) and allocataire numbers (a number written next to
the words that announce it: "n° allocataire", "numéro Caf", "matricule"…).

`mask(text)` returns the masked text and whether anything was found. The original stays in
the analysis' own table, shown only in the coding view to those allowed to see it."""

import re
import unicodedata

from django.utils.translation import gettext as _

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# 06 12 34 56 78, 06.12.34.56.78, 0612345678, +33 6 12 34 56 78, 0033 (0)6 12 34 56 78
PHONE = re.compile(
    r"(?<![\d+])(?:(?:\+|00)33[\s.-]?(?:\(0\)[\s.-]?)?|0)[1-9](?:[\s.-]?\d{2}){4}(?!\d)"
)
# sex, year, month (or 20/30-42/50-99 for the special cases), département (2A/2B for Corsica),
# commune, order number, then the two-digit key; spaces or dots between the blocks.
NIR = re.compile(
    r"(?<![\dA-Za-z])([12378])[\s.]?(\d{2})[\s.]?(\d{2})[\s.]?(\d{2}|2[AaBb])[\s.]?"
    r"(\d{3})[\s.]?(\d{3})[\s.]?(\d{2})(?![\dA-Za-z])"
)
ALLOCATAIRE = re.compile(
    r"(?i)\b(?:n[°o]\.?\s*(?:d['’]\s*)?allocataire|num[ée]ro\s+(?:d['’]\s*)?allocataire|"
    r"allocataire\s+n[°o]|n[°o]\.?\s*caf|num[ée]ro\s+(?:de\s+)?caf|matricule(?:\s+caf)?|"
    r"num[ée]ro\s+de\s+dossier|n[°o]\.?\s*(?:de\s+)?dossier)\s*(?:est|:|=)?\s*(\d[\d\s]{5,9}\d)\b"
)


def nir_key_is_valid(digits: str, key: str) -> bool:
    """`digits`: the 13 characters before the key (2A/2B for Corsica count as 19/18)."""
    number = digits.upper()
    corsica = {"2A": "19", "2B": "18"}.get(number[5:7])
    if corsica:
        number = number[:5] + corsica + number[7:]
    if not number.isdigit():
        return False
    return 97 - int(number) % 97 == int(key)


def _nir(match: re.Match) -> str:
    sex, year, month, dept, commune, order, key = match.groups()
    if nir_key_is_valid(f"{sex}{year}{month}{dept}{commune}{order}", key):
        return "[" + _("NIR masqué") + "]"
    return match.group(0)


def mask(text: str) -> tuple[str, bool]:
    """The text with its personal data replaced by labels, and whether it had any."""
    masked = EMAIL.sub(lambda m: "[" + _("e-mail masqué") + "]", text)
    masked = NIR.sub(_nir, masked)
    masked = ALLOCATAIRE.sub(
        lambda m: m.group(0)[: m.start(1) - m.start(0)] + "[" + _("n° allocataire masqué") + "]",
        masked,
    )
    masked = PHONE.sub(lambda m: "[" + _("téléphone masqué") + "]", masked)
    return masked, masked != text


def fold(text: str) -> str:
    """Lower case, accents and ligatures folded, spaces collapsed: "Élève  Cœur" → "eleve coeur"."""
    text = text.replace("œ", "oe").replace("Œ", "oe").replace("æ", "ae").replace("Æ", "ae")
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.split())
