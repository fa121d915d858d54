"""Where the interface's French text lives, read as text: the templates' text (outside tags,
variables and comments) and `{% translate %}` strings, and the strings given to gettext in the
code. `tests/core/test_typography.py` checks them for straight apostrophes and for the plain
spaces French typography replaces with a no-break one.

Templates are read with Django's own lexer (`DebugLexer`, which records each token's place), so
`{% url 'name' %}`, `{{ value|date:'j F' }}` and `{% comment %}` blocks are never taken for text.
Python files are read with `ast`: only string constants passed to a gettext function count.
"""

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.template.base import DebugLexer, TokenType

ROOT = Path(__file__).resolve().parent.parent
APPS = (
    "caflab",
    "analysis",
    "criees",
    "ecoute",
    "evaluation",
    "events",
    "ideas",
    "incubator",
    "kits",
    "projects",
)
GETTEXT = {
    "_",
    "gettext",
    "gettext_lazy",
    "gettext_noop",
    "ngettext",
    "ngettext_lazy",
    "pgettext",
    "pgettext_lazy",
    "npgettext",
    "npgettext_lazy",
}
LETTER = r"[A-Za-zÀ-ÖØ-öø-ÿŒœ]"
# A straight apostrophe between two letters ("l'équipe"), written plainly or escaped ("l\'é").
STRAIGHT = re.compile(rf"(?<={LETTER})\\?'(?={LETTER})")
TYPOGRAPHIC = "\u2019"
# A plain space where French puts a no-break one: before « : ; ! ? » and inside « guillemets »
# ("Statut : ", "« {{ title }} »"). URLs ("http://"), times ("10:30"), query strings ("?page=2")
# and "(s)" have no space before their colon or question mark, so they are never found.
LOOSE = re.compile(r" (?=[:;!?»])|(?<=«) ")
NO_BREAK = "\u00a0"
TRANSLATE_TAG = re.compile(r"^(?:translate|trans)\s+(\"[^\"]*\"|'[^']*')")


@dataclass(frozen=True)
class Text:
    path: Path
    line: int
    start: int  # offset of the text in the file (characters for templates, see `python_texts`)
    end: int
    text: str


def template_files() -> Iterator[Path]:
    folders = [ROOT / "templates"]
    for app in APPS:
        folders.extend(sorted((ROOT / app).rglob("templates")))
    for folder in folders:
        if folder.is_dir():
            for path in sorted(folder.rglob("*")):
                if path.suffix in {".html", ".txt"}:
                    yield path


def template_texts(path: Path) -> Iterator[Text]:
    source = path.read_text(encoding="utf-8")
    skipping = None  # the tag that ends a {% comment %} or {% verbatim %} block
    for token in DebugLexer(source).tokenize():
        start, end = token.position
        line = token.lineno
        if token.token_type == TokenType.BLOCK:
            words = token.contents.split()
            name = words[0] if words else ""
            if skipping:
                if name == skipping:
                    skipping = None
                continue
            if name in {"comment", "verbatim"}:
                skipping = f"end{name}"
                continue
            match = TRANSLATE_TAG.match(token.contents)
            if match:
                # the tag's text sits after "{% " and before " %}": find the literal in the source
                literal = match.group(1)
                offset = source.index(literal, start)
                yield Text(path, line, offset + 1, offset + len(literal) - 1, literal[1:-1])
        elif token.token_type == TokenType.TEXT and not skipping:
            yield Text(path, line, start, end, token.contents)


def python_files() -> Iterator[Path]:
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def _called_name(node: ast.Call) -> str:
    if isinstance(node.func, ast.Name):
        return node.func.id
    if isinstance(node.func, ast.Attribute):
        return node.func.attr
    return ""


def python_texts(path: Path) -> Iterator[Text]:
    """The gettext strings of a module; `start`/`end` are (line, column) pairs in UTF-8 bytes,
    as `ast` gives them, flattened into offsets of the file's bytes."""
    data = path.read_bytes()
    line_starts = [0]
    for index, byte in enumerate(data):
        if byte == 0x0A:
            line_starts.append(index + 1)
    tree = ast.parse(data, filename=str(path))
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or _called_name(node) not in GETTEXT:
            continue
        for argument in node.args:
            if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                start = line_starts[argument.lineno - 1] + argument.col_offset
                end = line_starts[argument.end_lineno - 1] + argument.end_col_offset
                yield Text(path, argument.lineno, start, end, argument.value)


def straight_apostrophes() -> list[str]:
    """Every interface text with a straight apostrophe between letters, as "path:line: text"."""
    found = []
    for path in template_files():
        for text in template_texts(path):
            if STRAIGHT.search(text.text):
                found.append(_line(text))
    for path in python_files():
        for text in python_texts(path):
            if STRAIGHT.search(text.text):
                found.append(_line(text))
    return found


def loose_spaces() -> list[str]:
    """Every interface text with a plain space before « : ; ! ? » or inside « guillemets », as
    "path:line: text"."""
    found = []
    for path in template_files():
        found.extend(_line(text) for text in template_texts(path) if LOOSE.search(text.text))
    for path in python_files():
        found.extend(_line(text) for text in python_texts(path) if LOOSE.search(text.text))
    return found


def _line(text: Text) -> str:
    excerpt = " ".join(text.text.split())[:80]
    return f"{text.path.relative_to(ROOT)}:{text.line}: {excerpt}"
