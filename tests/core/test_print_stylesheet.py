"""The print stylesheet (static/css/caflab.css): printed pages keep the content alone."""

import re
from pathlib import Path

from django.conf import settings

CSS = Path(settings.BASE_DIR) / "static" / "css" / "caflab.css"


def _print_block() -> str:
    text = CSS.read_text(encoding="utf-8")
    start = text.index("@media print {")
    return text[start:]


def test_printing_hides_the_navigation_the_buttons_and_the_footer_links():
    block = _print_block()
    hidden = block[: block.index("display: none !important")]
    for selector in (".navbar-collapse", ".navbar-toggler", ".site-search-bar", ".footer-links"):
        assert selector in hidden
    assert "main form button" in hidden


def test_printed_links_show_their_address_and_tables_stay_whole():
    block = _print_block()
    assert re.search(r'a\[href\][^{]*::after \{\s*content: " \(" attr\(href\) "\)";', block)
    assert "break-inside: avoid" in block
    assert "display: table-header-group" in block
