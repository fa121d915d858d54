"""Hostile text for the form fuzzer (tests/core/test_form_fuzz.py): the payload families, the
HTML form reader, and the checks made on the page that follows a POST.

Every payload is deterministic. A family is a list of variants; a variant is the text one
POST puts into every text-like field of a form, prefixed with a marker unique to the field,
so the page that follows can be searched for what became of that field's text.
"""

import re
import zlib
from dataclasses import dataclass, field
from urllib.parse import quote, urlsplit

import lxml.html

# --- the payloads -----------------------------------------------------------------------------

XSS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "javascript:alert(1)",
    "<svg/onload=alert(1)>",
]
TEMPLATE = ["{{ 7*7 }}", "{% debug %}", "${7*7}", "#{7*7}"]
FORMULA = ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)"]
UNICODE = [
    "\u202eevil.exe\u202c",  # right-to-left override
    "👩\u200d👩\u200d👧",  # zero-width joiners
    "👍🏽",  # emoji with a skin tone
    "e\u0301\u0302\u0303\u0304\u0305",  # combining marks
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𠜎𠜱",  # 4-byte characters
]
# Long enough to pass any CharField's max_length: the "too long" error must be a form error.
LONG_TEXT = ("Très long texte 👍🏽 é\u0301 " * 400)[:10_000]
# NUL alone: Django's fields refuse the whole form for it, which would hide the others.
CONTROL = ["\x08", "\x0b", "\x1f", "\ufffe", "\uffff"]
NUL = "\x00"
# A lone surrogate cannot be encoded in UTF-8: it is sent as the raw bytes a broken client
# would send (ED B3 BF), in a body built by hand.
LONE_SURROGATE = "\udcff"

# family -> variants (each variant one POST: its payloads joined by spaces)
FAMILIES: dict[str, list[list[str]]] = {
    "xss": [XSS],
    "template": [TEMPLATE],
    "formula": [FORMULA],
    "unicode": [UNICODE, [LONG_TEXT]],
    "control": [CONTROL, [NUL], [LONE_SURROGATE]],
}
FAMILY_NAMES = tuple(FAMILIES)


def stable_index(text: str, modulo: int, seed: int = 0) -> int:
    """A choice that is the same on every machine and run (Python's hash() is salted)."""
    return (zlib.crc32(text.encode()) + seed) % modulo


# --- reading the forms of a page -----------------------------------------------------------------

# Text-like inputs get a payload; email, url, number and tel ones too: they must answer
# with a form error, never a 500.
FUZZED_INPUTS = {"text", "search", "email", "url", "tel", "number", "password", ""}
IGNORED_INPUTS = {"file", "image", "reset", "button"}
PREVIEW_BUTTON = "preview"  # caflab.core.richtext.RichTextFormMixin.PREVIEW


@dataclass
class Form:
    action: str  # path (and query) the form goes to
    method: str  # "get" or "post"
    fixed: list[tuple[str, str]] = field(default_factory=list)  # hidden, selects, checkboxes…
    fuzzed: list[str] = field(default_factory=list)  # names of the text-like fields

    @property
    def signature(self) -> str:
        return f"{self.method} {urlsplit(self.action).path} {sorted(self.fuzzed)}"

    def data(self, variant: list[str], family: str) -> tuple[dict[str, list[str]], list[str]]:
        """The form's data with `variant` in every fuzzed field, and the markers used."""
        data: dict[str, list[str]] = {}
        for name, value in self.fixed:
            data.setdefault(name, []).append(value)
        markers = []
        for index, name in enumerate(self.fuzzed):
            marker = f"FZ{family[:3].upper()}{index}Q"
            markers.append(marker)
            data.setdefault(name, []).append(f"{marker} {' '.join(variant)}")
        return data, markers


def _resolve_action(action: str | None, page_url: str) -> str | None:
    """The path of the form's action on this site; None when it leaves the site."""
    if not action:
        return page_url
    parts = urlsplit(action)
    if parts.scheme or parts.netloc:
        return None
    if not parts.path.startswith("/"):
        return None
    return action


def read_forms(html: str, page_url: str) -> list[Form]:
    """Every form of the page with at least one text-like field, filled as a browser would:
    hidden values kept, checked boxes and radios kept (the first radio of a group none of
    whose radios is checked), the selected option of a select (else its first non-empty one),
    the last named submit button (other than a rich-text form's "Aperçu")."""
    if not html.strip():  # an empty answer (an htmx fragment with nothing to show)
        return []
    document = lxml.html.document_fromstring(html)
    forms = []
    for element in document.iter("form"):
        action = _resolve_action(element.get("action"), page_url)
        if action is None:
            continue
        form = Form(action=action, method=(element.get("method") or "get").lower())
        radios: dict[str, list[tuple[str, bool]]] = {}
        buttons: list[tuple[str, str]] = []
        for control in element.iter("input", "textarea", "select", "button"):
            name = control.get("name")
            if not name or control.get("disabled") is not None:
                continue
            if control.tag == "textarea":
                form.fuzzed.append(name)
            elif control.tag == "select":
                options = [
                    (o.get("value", o.text_content()), o.get("selected") is not None)
                    for o in control.iter("option")
                ]
                chosen = [v for v, selected in options if selected]
                if not chosen:
                    chosen = [v for v, _ in options if v][:1]
                form.fixed.extend((name, value) for value in chosen)
            elif control.tag == "button":
                if (control.get("type") or "submit").lower() == "submit":
                    buttons.append((name, control.get("value", "")))
            else:
                kind = (control.get("type") or "").lower()
                if kind in IGNORED_INPUTS:
                    continue
                if kind == "submit":
                    buttons.append((name, control.get("value", "")))
                elif kind == "radio":
                    radios.setdefault(name, []).append(
                        (control.get("value", "on"), control.get("checked") is not None)
                    )
                elif kind == "checkbox":
                    if control.get("checked") is not None:
                        form.fixed.append((name, control.get("value", "on")))
                elif kind in FUZZED_INPUTS:
                    form.fuzzed.append(name)
                else:  # hidden, date, time, colour, range…: what the page gives
                    form.fixed.append((name, control.get("value", "")))
        for name, choices in radios.items():
            checked = [v for v, on in choices if on] or [choices[0][0]]
            form.fixed.append((name, checked[0]))
        # The rich-text forms' "Aperçu" button saves nothing: the form is posted by the one that
        # saves (the preview's rendering of hostile text: tests/core/test_richtext.py).
        buttons = [button for button in buttons if button[0] != PREVIEW_BUTTON]
        if buttons:
            form.fixed.append(buttons[-1])
        if form.fuzzed:
            forms.append(form)
    return forms


def urlencoded_with_surrogate(data: dict[str, list[str]]) -> bytes:
    """The body a client with a broken encoder sends: lone surrogates as their (invalid)
    UTF-8 bytes, percent-encoded."""
    pairs = []
    for name, values in data.items():
        for value in values:
            raw = value.encode("utf-8", "surrogatepass")
            pairs.append(f"{quote(name.encode())}={quote(raw)}")
    return "&".join(pairs).encode("ascii")


# --- checking the page that follows --------------------------------------------------------------

RAW_XSS = ("<script>alert(1)", "onerror=alert(1)>", "<svg/onload=alert(1)>")
JAVASCRIPT_LINK = re.compile(r"""(?:href|src|action)\s*=\s*["']?\s*javascript:""", re.I)


def xss_problems(html: str) -> list[str]:
    found = [f"unescaped {payload!r}" for payload in RAW_XSS if payload in html]
    found += [f"javascript: link {m.group(0)!r}" for m in JAVASCRIPT_LINK.finditer(html)]
    return found


def template_problems(html: str, markers: list[str]) -> list[str]:
    """A marker followed by 49 means `{{ 7*7 }}` was evaluated; `{% debug %}` would print
    the template context."""
    problems = []
    for marker in markers:
        for match in re.finditer(re.escape(marker) + r"\s*(\S{0,12})", html):
            if match.group(1).startswith("49"):
                problems.append(f"{marker} followed by {match.group(1)!r}")
    if "{'csrf_token'" in html or "&#x27;csrf_token&#x27;" in html:
        problems.append("a template's context was printed ({% debug %})")
    return problems
