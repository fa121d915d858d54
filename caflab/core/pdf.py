"""What every PDF CafLab prints with WeasyPrint shares: it fetches nothing.

The documents are rendered from our own templates, with their CSS inline; a URL met while
rendering (an image or a link a person wrote in a rich text, a stylesheet) is never followed, so
a PDF never reaches the network or the file system and never depends on them.

WeasyPrint (70 and later) wants a `URLFetcher` instance, not a function: a plain function met
with a URL fails with an AttributeError inside WeasyPrint instead of being refused."""

from functools import cache
from typing import Any


@cache
def _refusing_fetcher_class() -> type:
    from weasyprint.urls import URLFetcher  # heavy: imported only when a PDF is printed

    class RefusingFetcher(URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> Any:
            # WeasyPrint logs the refusal as a warning and renders without the resource.
            raise ValueError(f"CafLab's PDFs load no resource ({url}).")

    return RefusingFetcher


def no_fetch() -> Any:
    """WeasyPrint's `url_fetcher` for our PDFs: every resource refused."""
    return _refusing_fetcher_class()()
