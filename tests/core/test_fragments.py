"""Fragment fingerprints: the same data gives the same key, any change a new one."""

import datetime

from django.utils import translation
from django.utils.translation import gettext_lazy

from caflab.core.fragments import fingerprint

ROWS = [{"code": "38", "title": "Caf de l'Isère", "since": datetime.date(2026, 1, 2), "n": 3}]


def test_the_same_data_gives_the_same_fingerprint_whatever_the_key_order():
    shuffled = [
        {"n": 3, "since": datetime.date(2026, 1, 2), "title": "Caf de l'Isère", "code": "38"}
    ]
    assert fingerprint(ROWS, True) == fingerprint(shuffled, True)


def test_any_change_of_the_data_gives_a_new_fingerprint():
    key = fingerprint(ROWS, True)
    changed = [{**ROWS[0], "n": 4}]
    assert fingerprint(changed, True) != key
    assert fingerprint([{**ROWS[0], "since": datetime.date(2026, 1, 3)}], True) != key
    assert fingerprint(ROWS, False) != key
    assert fingerprint(ROWS) != key


def test_lazy_translations_are_read_as_text_in_the_active_language():
    assert fingerprint([gettext_lazy("Santé")]) == fingerprint(["Santé"])
    with translation.override("en"):
        english = fingerprint(ROWS)
    assert english != fingerprint(ROWS)
