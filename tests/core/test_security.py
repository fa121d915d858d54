"""Strict CSP: the header forbids inline code, and our pages contain none to forbid."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from tests.conftest import PERSONAS

# Every test here reads the database (personas are resolved at run time by `persona`), so
# each is marked: pytest-django then runs it before the transactional tests flush the data.
pytestmark = pytest.mark.django_db

PUBLIC_PAGES = ["core:home", "core:accessibility", "core:legal", "core:privacy", "ecoute:index"]


class InlineCodeFinder(HTMLParser):
    """Collects what a strict CSP would block: style attributes, inline scripts and styles,
    and inline event handlers (onclick=…)."""

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []
        self._in_inline_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = {name for name, _value in attrs}
        if "style" in names:
            self.problems.append(f"style attribute on <{tag}>")
        self.problems += [f"{name} handler on <{tag}>" for name in names if name.startswith("on")]
        if tag == "style":
            self.problems.append("<style> element")
        if tag == "script" and "src" not in names:
            self._in_inline_script = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._in_inline_script:
            self._in_inline_script = False
            self.problems.append("inline <script> without src")


def inline_code_in(html: str) -> list[str]:
    finder = InlineCodeFinder()
    finder.feed(html)
    return finder.problems


def script_src(response) -> str:
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, _space, values = part.strip().partition(" ")
        directives[name] = values
    return directives["script-src"]


def test_the_finder_catches_what_csp_would_block():
    html = '<div style="x"></div><button onclick="x()"></button><script>alert(1)</script>'
    assert len(inline_code_in(html)) == 3
    assert inline_code_in('<script src="/static/x.js" defer></script>') == []


@pytest.mark.parametrize("persona", PERSONAS, indirect=True)
def test_home_has_no_inline_code_for_any_role(client, persona):
    if persona is not None:
        client.force_login(persona)
    response = client.get(reverse("core:home"))
    assert inline_code_in(response.content.decode()) == []


@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_public_pages_have_no_inline_code(client, db, name):
    assert inline_code_in(client.get(reverse(name)).content.decode()) == []


@pytest.mark.parametrize("persona", PERSONAS, indirect=True)
@pytest.mark.parametrize("name", [*PUBLIC_PAGES, "criees:index"])
def test_every_response_carries_a_strict_csp(client, persona, name):
    if persona is not None:
        client.force_login(persona)
    response = client.get(reverse(name))
    policy = script_src(response)
    assert "'self'" in policy
    assert "'unsafe-inline'" not in policy
    assert "'unsafe-eval'" not in policy
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]


def test_error_pages_carry_the_csp_too(client, db):
    response = client.get("/introuvable/")
    assert response.status_code == 404
    assert "'unsafe-inline'" not in script_src(response)
    assert inline_code_in(response.content.decode()) == []


def test_htmx_is_configured_for_the_csp(client, db):
    html = client.get(reverse("core:home")).content.decode()
    assert '"includeIndicatorStyles":false' in html
    assert '"allowEval":false' in html
    assert "django_htmx/htmx-2.min.js" in html


def test_nothing_is_loaded_from_another_site(client, lab_staff):
    client.force_login(lab_staff)
    html = client.get(reverse("core:home")).content.decode()
    assert 'src="http' not in html
    assert 'href="//' not in html
    assert "stylesheet" in html
    assert "/static/bootstrap/css/bootstrap.min.css" in html
