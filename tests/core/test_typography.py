"""French typography in the interface, in the templates' text and `{% translate %}` strings and in
every string given to gettext. What people type is theirs: answers, titles and the demo's contents
are not checked.

- Apostrophes are typographic (’), everywhere.
- A no-break space (U+00A0) stands before « : ; ! ? » and inside « guillemets », so a line never
  starts with the punctuation nor leaves a guillemet alone at its end. One character for all of
  them rather than the narrow no-break space (U+202F) before « ; ! ? »: it is the space French
  style guides name first, every font has it, and a reader sees no difference on screen. (The
  narrow one groups the thousands of numbers, `caflab/core/numbers.py`.) It is written as the
  character itself, in templates as in gettext strings; Django does not escape it in HTML. Tests
  that quote such a text write it as `\u00a0`."""

from tests.typography import (
    LOOSE,
    NO_BREAK,
    loose_spaces,
    python_texts,
    straight_apostrophes,
    template_texts,
)


def test_no_interface_text_is_written_with_a_straight_apostrophe():
    found = straight_apostrophes()
    assert not found, (
        f"{len(found)} interface text(s) with a straight apostrophe (write ’):\n" + "\n".join(found)
    )


def test_no_interface_text_has_a_plain_space_where_french_puts_a_no_break_one():
    found = loose_spaces()
    assert not found, (
        f"{len(found)} interface text(s) with a plain space before « : ; ! ? » or inside "
        "« guillemets » (write U+00A0, the no-break space):\n" + "\n".join(found)
    )


def test_the_scanner_reads_text_and_translations_but_not_template_syntax(tmp_path):
    template = tmp_path / "page.html"
    template.write_text(
        "{% load i18n %}<p>{% translate \"L'équipe\" %}</p>{% url 'core:home' %}"
        "{{ value|date:'j F' }}{% comment %}l'exemple{% endcomment %}<p>Aujourd'hui</p>",
        encoding="utf-8",
    )
    texts = [text.text for text in template_texts(template)]
    assert "L'équipe" in texts
    assert any("Aujourd'hui" in text for text in texts)
    assert not any("l'exemple" in text or "core:home" in text for text in texts)

    module = tmp_path / "module.py"
    module.write_text(
        "from django.utils.translation import gettext as _\n"
        'TITLE = _("Ajouter l\'idée")\n'
        'DATA = "l\'accueil"\n',
        encoding="utf-8",
    )
    assert [text.text for text in python_texts(module)] == ["Ajouter l'idée"]


def test_the_scanner_finds_plain_spaces_before_french_punctuation_and_nothing_else(tmp_path):
    template = tmp_path / "page.html"
    template.write_text(
        '{% load i18n %}<p>{% translate "Statut :" %} « {{ title }} » ; vraiment !</p>'
        '<a href="https://example.org/?page=2">{% translate "Et maintenant ?" %}</a>'
        "<p>10:30, l’accueil (s)</p>"
        f"<p>Statut{NO_BREAK}: «{NO_BREAK}{{{{ title }}}}{NO_BREAK}»{NO_BREAK}?</p>",
        encoding="utf-8",
    )
    found = [
        text.text[max(match.start() - 1, 0) : match.end() + 1]
        for text in template_texts(template)
        for match in LOOSE.finditer(text.text)
    ]
    # never the URL, the time, "(s)" nor the text already written with U+00A0
    assert found == ["t :", "« ", " »", "» ;", "t !", "t ?"]
