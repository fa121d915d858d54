"""Rich text where people write long texts: a little Markdown, made safe.

The stored value is what the person typed (Markdown source), so exports, e-mails and search
keep the text as written; pages show `render_markdown` (the `richtext` filter of
`{% load richtext %}`), and places that want no markup at all (list excerpts, <meta>
descriptions, plain-text parts) `plain_text`.

Two locks, not one: python-markdown runs with raw HTML turned off (a typed `<script>` stays
text), and its output goes through nh3 (the maintained Rust sanitizer; bleach is deprecated)
with a short allow-list: no image, no `style`, no event handler, links to http, https and
mailto only, each with `rel="nofollow noopener"`. Nothing here needs a script or an inline
style, so the strict CSP holds.

Forms that edit such a field use `RichTextFormMixin`: a help text under the field, and an
"Aperçu" button (`name="preview"`) that shows the rendered text above the form and saves
nothing, with no JavaScript.
"""

import html
import re
import xml.etree.ElementTree as etree
from typing import Any

import markdown
import nh3
from crispy_forms.layout import Submit
from django.forms.utils import ErrorDict
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _
from markdown.inlinepatterns import InlineProcessor
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import Treeprocessor

#: What the sanitizer keeps: the markup the extensions below produce, nothing else.
ALLOWED_TAGS = frozenset(
    {"p", "br", "strong", "em", "ul", "ol", "li", "a", "h3", "h4", "h5", "h6", "blockquote"}
    | {"code", "pre", "hr"}
)
ALLOWED_ATTRIBUTES = {"a": {"href"}}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow noopener"

#: The page owns h1 and h2; a typed "# Titre" becomes an h3, and so on down to h6.
HEADING_SHIFT = 2

HELP_TEXT = _("Mise en forme possible : **gras**, *italique*, listes avec « - », liens.")

# A bare address in the text: ends before trailing punctuation ("voir https://x.fr.").
BARE_URL = r"(?<![\w/=\"'(\[])(https?://[^\s<>\"']*[^\s<>\"'.,;:!?)\]])"
LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+\S")


class _DemoteHeadings(Treeprocessor):
    def run(self, root: etree.Element) -> None:
        for element in root.iter():
            if re.fullmatch(r"h[1-6]", element.tag):
                element.tag = f"h{min(int(element.tag[1]) + HEADING_SHIFT, 6)}"


class _BareUrl(InlineProcessor):
    def handleMatch(self, m: re.Match, data: str) -> tuple[etree.Element, int, int]:
        link = etree.Element("a", {"href": m.group(1)})
        link.text = markdown.util.AtomicString(m.group(1))
        return link, m.start(0), m.end(0)


class _ListAfterParagraph(Preprocessor):
    """People type "Nous avons :" and a list on the next line; Markdown wants a blank line
    between them, so one is added (a list that already follows one is left as it is)."""

    def run(self, lines: list[str]) -> list[str]:
        out: list[str] = []
        for line in lines:
            previous = out[-1] if out else ""
            follows_text = previous.strip() and not LIST_ITEM.match(previous)
            # An indented line before is a nested list's continuation: left as it is.
            if LIST_ITEM.match(line) and follows_text and not previous.startswith((" ", "\t")):
                out.append("")
            out.append(line)
        return out


class _CafLabMarkdown(markdown.Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:
        # Raw HTML is text: a typed tag is shown, never interpreted.
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        md.preprocessors.register(_ListAfterParagraph(md), "caflab_lists", 25)
        # After Markdown's own links (160…120), before emphasis, so "a_b_c" in a URL stays.
        md.inlinePatterns.register(_BareUrl(BARE_URL, md), "caflab_bare_url", 115)
        md.treeprocessors.register(_DemoteHeadings(md), "caflab_headings", 5)


def _markdown(text: str) -> str:
    # A fresh converter per call: python-markdown's instances keep state between conversions.
    converter = markdown.Markdown(
        extensions=[_CafLabMarkdown(), "nl2br", "sane_lists"], output_format="html"
    )
    return converter.convert(text)


def _keep_url(tag: str, attribute: str, value: str) -> str | None:
    """Only absolute http(s) and mailto links: no relative or protocol-relative address."""
    if tag == "a" and attribute == "href":
        return value if value.lower().startswith(("http://", "https://", "mailto:")) else None
    return value


def render_markdown(text: str | None) -> SafeString:
    """The typed text as safe HTML: paragraphs, line breaks, lists, emphasis, links."""
    if not text:
        return mark_safe("")
    cleaned = nh3.clean(
        _markdown(str(text)),
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel=LINK_REL,
        attribute_filter=_keep_url,
        strip_comments=True,
    )
    return mark_safe(cleaned)  # noqa: S308 - sanitised by nh3 just above


_BLOCK_END = re.compile(r"(<br\s*/?>|</(?:p|li|h[1-6]|blockquote|pre)>)", re.IGNORECASE)


def plain_text(text: str | None) -> str:
    """The typed text without its markup ("**gras**" reads "gras"; a link, its words), lines
    kept. Not escaped: templates escape it, and a plain-text part needs no escaping."""
    if not text:
        return ""
    rendered = _BLOCK_END.sub(r"\1\n", _markdown(str(text)))
    stripped = html.unescape(nh3.clean(rendered, tags=set(), strip_comments=True))
    lines = [" ".join(line.split()) for line in stripped.splitlines()]
    return "\n".join(line for line in lines if line)


# --- forms: help text and preview ----------------------------------------------------------


class RichTextFormMixin:
    """A form with Markdown fields (`richtext_fields`): their help text, and the preview.

    A form posted with the "Aperçu" button (`name="preview"`) is never valid, so whatever view
    holds it saves nothing and shows the form again with every value typed; its errors are
    kept quiet (the person asked to see the text, not to be told what is missing yet).
    The page shows `form.richtext_previews` above the form
    (`components/richtext_preview.html`)."""

    richtext_fields: tuple[str, ...] = ()
    PREVIEW = "preview"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in self.richtext_fields:
            field = self.fields.get(name)
            if field is not None:
                field.help_text = f"{field.help_text} {HELP_TEXT}" if field.help_text else HELP_TEXT

    @property
    def is_preview(self) -> bool:
        return bool(self.is_bound and self.PREVIEW in self.data)

    def preview_button(self) -> Submit:
        """The second submit button, for the form's crispy helper (after the main one, so that
        Enter still saves)."""
        suffix = f"-{self.prefix}" if self.prefix else ""
        button = Submit(self.PREVIEW, _("Aperçu"), css_id=f"apercu{suffix}")
        button.field_classes = "btn btn-outline-secondary"  # secondary, not a second primary
        return button

    def is_valid(self) -> bool:
        return False if self.is_preview else super().is_valid()

    @property
    def errors(self) -> ErrorDict:
        if self.is_preview:
            return ErrorDict()
        return super().errors

    def richtext_previews(self) -> list[dict[str, Any]]:
        """Each rich-text field as typed, rendered; empty unless the preview was asked for."""
        if not self.is_preview:
            return []
        previews = []
        for name in self.richtext_fields:
            if name in self.fields:
                value = self[name].value() or ""
                previews.append({"label": self[name].label, "html": render_markdown(value)})
        return previews
