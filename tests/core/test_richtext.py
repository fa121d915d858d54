"""Rich text (caflab.core.richtext): what a person types in Markdown shows as lists, emphasis and
links, and nothing they type can run a script, load an image or style the page; `plain_text`
gives the words without the markup; the preview of a form saves nothing."""

from html.parser import HTMLParser

import pytest
from django import forms
from django.template import Context, Template

from caflab.core.richtext import RichTextFormMixin, plain_text, render_markdown

# --- hostile input: all neutralised ---------------------------------------------------------

HOSTILE = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
    "[clic](javascript:alert(1))",
    "[clic](JaVaScRiPt:alert(1))",
    "[clic](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[clic](vbscript:msgbox(1))",
    '<a href="https://ok.example" onclick="alert(1)">a</a>',
    '<p onmouseover="alert(1)">survol</p>',
    "<img src=x onerror=alert(1)>",
    "![image](https://evil.example/pixel.png)",
    '![image](javascript:alert(1) "t")',
    '<div style="position:fixed;top:0">recouvre la page</div>',
    "<iframe src=https://evil.example></iframe>",
    "<style>body{display:none}</style>",
    "<!-- commentaire --><b>gras</b>",
    '[clic](https://ok.example "titre" onclick=alert(1))',
    "<svg onload=alert(1)>",
    "[a](//evil.example/chemin)",
]


class _Elements(HTMLParser):
    """Every element and attribute of a fragment, as a browser would build them."""

    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.comments: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.elements.append((tag, dict(attrs)))

    def handle_comment(self, data: str) -> None:
        self.comments.append(data)


def elements_of(html: str) -> _Elements:
    parser = _Elements()
    parser.feed(html)
    parser.close()
    return parser


@pytest.mark.parametrize("text", HOSTILE)
def test_nothing_typed_can_run_a_script_load_an_image_or_style_the_page(text):
    parsed = elements_of(render_markdown(text))
    assert not parsed.comments
    for tag, attrs in parsed.elements:
        assert tag in {"p", "br", "strong", "em", "ul", "ol", "li", "a", "code"}, (text, tag)
        if tag != "a":
            assert attrs == {}, (text, tag, attrs)
            continue
        assert set(attrs) <= {"href", "rel"}, (text, attrs)
        assert attrs["rel"] == "nofollow noopener"
        if "href" in attrs:
            assert attrs["href"].startswith(("https://ok.example", "mailto:")), (text, attrs)


def test_raw_html_is_shown_as_text_not_interpreted():
    html = render_markdown('<b>gras</b> et <a href="https://x.example">lien</a>')
    assert "&lt;b&gt;gras&lt;/b&gt;" in html
    assert "<a" not in html


def test_a_javascript_link_keeps_its_words_but_loses_its_address():
    html = render_markdown("[cliquez ici](javascript:alert(1))")
    assert "cliquez ici" in html
    assert "href" not in html


# --- what people type: lists, emphasis, links, headings, line breaks ------------------------


def test_a_list_typed_with_dashes_right_after_a_sentence_is_a_list():
    html = render_markdown("Nous avons :\n- accueilli\n- **orienté**\n- *suivi*")
    assert "<p>Nous avons :</p>" in html
    assert "<ul>" in html
    assert "<li>accueilli</li>" in html
    assert "<li><strong>orienté</strong></li>" in html
    assert "<li><em>suivi</em></li>" in html


def test_a_numbered_list_is_an_ordered_list():
    html = render_markdown("1. accueillir\n2. orienter")
    assert "<ol>" in html
    assert "<li>accueillir</li>" in html


def test_links_get_nofollow_noopener_and_keep_their_address():
    html = render_markdown("Voir [le site](https://www.caf.fr/allocataires).")
    assert '<a href="https://www.caf.fr/allocataires" rel="nofollow noopener">le site</a>' in html


def test_a_bare_address_becomes_a_link_without_its_final_full_stop():
    html = render_markdown("Tout est sur https://www.caf.fr/a_b_c.")
    assert (
        '<a href="https://www.caf.fr/a_b_c" rel="nofollow noopener">https://www.caf.fr/a_b_c</a>.'
        in html
    )


def test_a_mail_link_is_kept():
    html = render_markdown("[Écrire](mailto:lab@cnaf.example)")
    assert 'href="mailto:lab@cnaf.example"' in html


def test_headings_never_compete_with_the_page_h1_and_h2():
    html = render_markdown("# Titre\n\n## Sous-titre\n\n###### Petit")
    assert "<h1" not in html
    assert "<h2" not in html
    assert "<h3>Titre</h3>" in html
    assert "<h4>Sous-titre</h4>" in html
    assert "<h6>Petit</h6>" in html


def test_a_single_line_break_is_kept_and_a_blank_line_makes_a_paragraph():
    html = render_markdown("ligne 1\nligne 2\n\nparagraphe 2")
    assert "ligne 1<br>" in html
    assert html.count("<p>") == 2


def test_empty_text_renders_nothing():
    assert render_markdown("") == ""
    assert render_markdown(None) == ""


def test_the_template_filter_renders_and_escapes_nothing_it_should_not():
    template = Template("{% load richtext %}{{ text|richtext }}|{{ text|plaintext }}")
    out = template.render(Context({"text": "- **a** <script>x</script>"}))
    rich, plain = out.split("|")
    assert "<li><strong>a</strong> &lt;script&gt;x&lt;/script&gt;</li>" in rich
    assert plain == "a &lt;script&gt;x&lt;/script&gt;"  # the template escapes the plain text


# --- plain text -------------------------------------------------------------------------------


def test_plain_text_strips_the_markup_and_keeps_the_lines():
    typed = "Nous avons :\n- **accueilli**\n- [orienté](https://x.example)\n\n# Suite\n*fin*"
    assert plain_text(typed) == "Nous avons :\naccueilli\norienté\nSuite\nfin"


def test_plain_text_keeps_typed_characters_unescaped():
    assert plain_text("Tom & Jerry < 3") == "Tom & Jerry < 3"


# --- the preview --------------------------------------------------------------------------------


class _Form(RichTextFormMixin, forms.Form):
    richtext_fields = ("body",)
    title = forms.CharField()
    body = forms.CharField(widget=forms.Textarea, help_text="Aide.")


def test_a_rich_text_field_tells_how_to_format():
    field = _Form().fields["body"]
    assert field.help_text.startswith("Aide. ")
    assert "**gras**" in field.help_text
    assert "«\u00a0-\u00a0»" in field.help_text
    assert "**gras**" not in str(_Form().fields["title"].help_text)


def test_a_preview_is_never_valid_shows_no_error_and_renders_the_text():
    form = _Form({"body": "- un\n- deux", "preview": "1"})  # the title is missing
    assert not form.is_valid()
    assert not form.errors
    [preview] = form.richtext_previews()
    assert "<li>deux</li>" in preview["html"]
    assert form["body"].value() == "- un\n- deux"


def test_without_the_preview_button_the_form_validates_as_usual():
    form = _Form({"body": "- un"})
    assert not form.is_valid()
    assert "title" in form.errors
    assert form.richtext_previews() == []
    assert _Form({"title": "t", "body": "b"}).is_valid()
