"""The superuser's POSTs again (tests/test_superuser_posts.py), this time with valid input: an
empty POST stops at the form's validation, so the domain code behind a form is never reached
that way. Here every page of the URL matrix is opened as an administrator, on the matrix
objects as built and in each state test_superuser_posts.py moves them through; each POST form
of the page's content is sent back as a browser would send it (hidden fields, selected options
and checked boxes kept) with its empty text fields filled with a plausible French value. The
answer may be a redirect, a message or a form error (a closed consultation refuses an edit…),
never a 5xx.

Forms are read from `<main>` only: the header's logout and search forms are not the page's.
"""

import datetime
import traceback
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.db import transaction
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone

from tests.accounts.factories import TEST_PASSWORD

# The fixtures, the routes and the states of test_superuser_posts.py (itself importing the URL
# matrix's fixtures, for `row.kwargs` to find through request.getfixturevalue).
from tests.test_superuser_posts import (  # noqa: F401
    MATRIX,
    SKIPPED,
    STATES,
    matrix_analysis,
    matrix_api,
    matrix_community,
    matrix_consultation,
    matrix_contribution,
    matrix_criees,
    matrix_ecoute_phase2,
    matrix_evaluation,
    matrix_events,
    matrix_idea,
    matrix_incubator,
    matrix_kits,
    matrix_participation,
    matrix_project,
    matrix_report,
    matrix_sources,
    superuser,
)

pytestmark = pytest.mark.django_db

# The superuser of test_superuser_posts.py, named in people pickers.
PERSON = "administratrice@caf.example"

# Pages whose form would end the test's session or only send mail to nobody in particular.
NOT_SUBMITTED = {"accounts:account-delete"}

# Pages: the routes a browser opens (GET); the POST-only routes are reached through the forms
# of the pages that hold them.
PAGES = sorted(
    route
    for route, row in MATRIX.items()
    if row.method == "get" and route not in SKIPPED and route not in NOT_SUBMITTED
)

# One case per state (and one as built): the fixtures are built once for all the pages the state
# concerns, and each page's visit is rolled back, so every page sees the state as moved there.
# Sampled to keep the run near two minutes: two of the five consultation statuses, two of the
# four initiative and criée ones (one editable, one past it); the empty POSTs of
# test_superuser_posts.py still go through all of them.
NOT_SAMPLED = {
    "consultation scheduled",
    "consultation results_published",
    "consultation archived",
    "initiative draft",
    "initiative returned",
    "criee planned",
    "criee followed_up",
}
CASES = [pytest.param(None, id="as built")] + [
    pytest.param(state, id=state) for state in STATES if state not in NOT_SAMPLED
]


# --- reading a page's forms as a browser would submit them ------------------------------------


class _Form:
    def __init__(self, action: str) -> None:
        self.action = action
        self.fields: list[tuple[str, str]] = []
        # radio groups: the first value of each, sent when none is checked
        self.radios: dict[str, str] = {}
        self.checked_radios: set[str] = set()
        self.button: tuple[str, str] | None = None


class FormReader(HTMLParser):
    """The POST forms inside `<main>`, each with the (name, value) pairs a browser would send
    once a person has filled its empty text fields."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[_Form] = []
        self._in_main = 0
        self._form: _Form | None = None
        self._select: tuple[str, bool] | None = None  # name, multiple
        self._options: list[tuple[str, bool]] = []
        self._option_value: str | None = None
        self._option_text = ""
        self._option_selected = False
        self._textarea: tuple[str, str] | None = None  # name, the text so far
        self._textarea_attrs: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "main":
            self._in_main += 1
        elif tag == "form" and self._in_main and a.get("method", "get").lower() == "post":
            self._form = _Form(a.get("action", ""))
            self.forms.append(self._form)
        if self._form is None or "disabled" in a:
            return
        name = a.get("name", "")
        if tag == "input" and name:
            self._input(name, a)
        elif tag == "select" and name:
            self._select = (name, "multiple" in a)
            self._options = []
        elif tag == "option" and self._select is not None:
            self._option_value = a.get("value")
            self._option_text = ""
            self._option_selected = "selected" in a
        elif tag == "textarea" and name:
            self._textarea = (name, "")
            self._textarea_attrs = a
        elif tag == "button" and name and a.get("type", "submit").lower() == "submit":
            self._form.button = self._form.button or (name, a.get("value", ""))

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea = (self._textarea[0], self._textarea[1] + data)
        elif self._select is not None and self._option_value is None:
            self._option_text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "main":
            self._in_main -= 1
        elif tag == "form" and self._form is not None:
            for name, value in self._form.radios.items():
                if name not in self._form.checked_radios:
                    self._form.fields.append((name, value))
            if self._form.button is not None:  # the first named button is the one clicked
                self._form.fields.append(self._form.button)
            self._form = None
        elif tag == "option" and self._select is not None:
            value = self._option_value if self._option_value is not None else self._option_text
            self._options.append((value.strip(), self._option_selected))
            self._option_value = None
        elif tag == "select" and self._select is not None and self._form is not None:
            name, multiple = self._select
            chosen = [value for value, selected in self._options if selected]
            if not any(chosen) and not multiple:
                # a browser sends the first option; a person picks a real one
                real = [value for value, _selected in self._options if value]
                chosen = real[:1] or [value for value, _selected in self._options[:1]]
            self._form.fields.extend((name, value) for value in chosen)
            self._select = None
        elif tag == "textarea" and self._textarea is not None and self._form is not None:
            name, text = self._textarea
            self._form.fields.append((name, text.strip("\n") or french_text(self._textarea_attrs)))
            self._textarea = None

    def _input(self, name: str, a: dict[str, str]) -> None:
        assert self._form is not None
        kind = a.get("type", "text").lower()
        value = a.get("value", "")
        if kind == "submit":
            self._form.button = self._form.button or (name, value)
            return
        if kind in ("button", "reset", "image", "file"):
            return
        if kind == "checkbox":
            if "checked" in a:
                self._form.fields.append((name, value or "on"))
        elif kind == "radio":
            self._form.radios.setdefault(name, value)
            if "checked" in a:
                self._form.checked_radios.add(name)
                self._form.fields.append((name, value))
        elif kind == "hidden":
            self._form.fields.append((name, value))
        else:
            self._form.fields.append((name, value or french_value(kind, name, a)))


def french_value(kind: str, name: str, a: dict[str, str]) -> str:
    """A plausible value for an empty field, by its type and its name."""
    today = timezone.localdate()
    if kind == "password":
        return TEST_PASSWORD  # the current password, and a new one confirmed twice
    if kind == "email" or "email" in name:
        return "camille.martin@exemple.fr"
    if any(word in name for word in ("user", "person", "owner", "lead", "member")):
        return PERSON  # a people picker: someone who exists
    if any(word in name for word in ("value", "count", "amount", "budget", "version", "seats")):
        return "3"
    if kind == "number" or kind == "range":
        low = a.get("min")
        return low if low not in (None, "") else "3"
    if kind == "date":
        return (today + datetime.timedelta(days=14)).isoformat()
    if kind == "datetime-local":
        return (today + datetime.timedelta(days=14)).isoformat() + "T10:00"
    if kind == "time":
        return "10:00"
    if kind == "url" or "url" in name or "link" in name:
        return "https://www.caf.fr/allocataires"
    if kind == "tel" or "phone" in name or "telephone" in name:
        return "04 76 20 60 00"
    if kind == "search" or name == "q":
        return "accueil"
    if "date" in name or name.endswith("_on"):
        return (today + datetime.timedelta(days=14)).isoformat()
    if name.endswith("_at"):
        return (today + datetime.timedelta(days=14)).isoformat() + " 10:00"
    limit = int(a.get("maxlength") or 0)
    text = "Accueil des familles sans rendez-vous"
    return text[:limit] if limit else text


def french_text(a: dict[str, str]) -> str:
    if "email" in a.get("name", ""):
        return "camille.martin@exemple.fr\nlou.bernard@exemple.fr"
    limit = int(a.get("maxlength") or 0)
    text = (
        "Les familles nous ont dit attendre trop longtemps au guichet ; nous proposons un "
        "accueil sans rendez-vous le mercredi après-midi, testé d'abord à Grenoble."
    )
    return text[:limit] if limit else text


def page_forms(html: str) -> list[_Form]:
    reader = FormReader()
    reader.feed(html)
    reader.close()
    return reader.forms


# --- the test ------------------------------------------------------------------------------


def _visit(client, url: str, data: dict) -> list[str]:
    """Open the page, send back each of its POST forms; the POSTs answering a 5xx."""
    page = client.get(url, data)
    if page.status_code != 200 or "html" not in page.get("Content-Type", ""):
        return []  # a download, a redirect, a refusal: no form to send
    errors = []
    for form in page_forms(page.content.decode()):
        target = urljoin(url, form.action) if form.action else url
        try:
            view_name = resolve(urlsplit(target).path).view_name
        except Resolver404:
            view_name = ""  # off-site or unknown: the POST answers 404
        if view_name in SKIPPED or view_name in NOT_SUBMITTED:
            continue
        fields: dict[str, list[str]] = {}
        for name, value in form.fields:
            fields.setdefault(name, []).append(value)
        response = client.post(target, fields)
        if response.status_code >= 500:
            errors.append(f"POST {target} from {url}: {response.status_code}")
    return errors


@pytest.mark.parametrize("state", CASES)
def test_superuser_posts_of_the_pages_own_forms_are_never_a_server_error(state, client, request):
    admin = request.getfixturevalue("superuser")
    concerns = STATES[state][0] if state is not None else (lambda route: True)
    routes = [route for route in PAGES if concerns(route)]
    # The fixtures first, then the move (as test_superuser_posts.py does).
    urls = {
        route: reverse(
            route, kwargs=MATRIX[route].kwargs(request) if MATRIX[route].kwargs else None
        )
        for route in routes
    }
    if state is not None:
        STATES[state][1]()
    errors = []
    for route, url in urls.items():
        client.force_login(admin)  # a password change or a logout form may have ended it
        try:
            with transaction.atomic():
                errors += _visit(client, url, MATRIX[route].data)
                transaction.set_rollback(True)
        except Exception:  # the test client re-raises a view's exception
            errors.append(f"{route}: {traceback.format_exc(limit=-3)}")
    assert not errors, "\n".join(errors)
