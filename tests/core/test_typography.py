"""French typography in the interface: apostrophes are typographic (’), in the templates' text
and `{% translate %}` strings and in every string given to gettext. What people type is theirs:
answers, titles and the demo's contents are not checked.

About half the interface is written so far. The texts still written with a straight apostrophe
are counted, and the count may only go down: a new text is written with ’, and converting the
rest (templates, gettext strings, the model labels' migrations and the tests that quote them)
lowers `STRAIGHT_LEFT` until it is 0."""

from tests.typography import python_texts, straight_apostrophes, template_texts

STRAIGHT_LEFT = 577


def test_no_new_interface_text_is_written_with_a_straight_apostrophe():
    found = straight_apostrophes()
    assert len(found) <= STRAIGHT_LEFT, (
        f"{len(found) - STRAIGHT_LEFT} new interface text(s) with a straight apostrophe "
        "(write ’):\n" + "\n".join(found)
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
