"""Hostile text in every form: each page of the URL matrix is opened as a persona allowed on
it, every form of the page with a text-like field is filled with payloads of five families
(XSS, template, formula, unicode, control characters) and sent; the page that follows must not
be a 5xx, must not carry a payload unescaped, and must not show a template evaluated.

The default run (CI) is a sample: one family per page, chosen by a stable hash of the route
(FUZZ_SEED=n rotates the choice), and every family on the core public and participation
forms. The full run, every family on every page, is marked `fuzz` and runs only when asked:
`pytest -m fuzz tests/core/test_form_fuzz.py` or FUZZ_FULL=1.
"""

import os

import pytest
from django.urls import Resolver404, resolve, reverse

from tests.fuzzing import (
    FAMILIES,
    FAMILY_NAMES,
    LONE_SURROGATE,
    read_forms,
    stable_index,
    template_problems,
    urlencoded_with_surrogate,
    xss_problems,
)

# The URL matrix's fixtures, for `row.kwargs` to find through request.getfixturevalue.
from tests.test_url_matrix import (  # noqa: F401
    MATRIX,
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
)

pytestmark = pytest.mark.django_db

# Where a form may not be sent: it ends the session, or leaves for another site.
SKIPPED_ACTIONS = {"accounts:logout", "admin:index"}
# The header's search form is on every page: it is fuzzed on the search page only.
CHROME_ACTIONS = {"search:results": "search:results"}

# The forms the public and the network fill most: every family, even in the sample.
CORE_PAGES = {
    "ideas:idea-create",  # idea submission
    "ideas:idea-detail",  # comment on an idea
    "ecoute:contribution-create",  # contribution
    "ecoute:contribution-detail",  # comment on a contribution
    "engagement:queue to moderate",  # a moderator's message to the authors
    "ecoute:answer",  # consultation answer (and the hear-back address)
    "ecoute:anonymous-answer",  # the same, anonymous
    "criees:create",  # initiative
    "criees:initiative",  # comment on an initiative
    "evaluation:survey-answer",  # participatory evaluation, by invitation
    "accounts:signup",
}

# Staff personas first: they see the most forms; then the public ones, which are the most
# exposed and see other forms (sign-up, answering without an account).
STAFF = ("lab_staff", "correspondent_a", "agent_a", "agent_b")
PUBLIC = ("citizen", "anonymous")


def _personas(route: str) -> list[str]:
    expect = MATRIX[route].expect
    staff = [p for p in STAFF if expect.get(p) == 200][:1]
    return staff + [p for p in PUBLIC if expect.get(p) == 200]


PAGES = [
    (route, persona)
    for route in sorted(MATRIX)
    if MATRIX[route].method == "get" and route not in SKIPPED_ACTIONS
    for persona in _personas(route)
] + [
    # pages the matrix objects leave without forms, in the state that shows them
    ("ecoute:anonymous-answer", "anonymous"),
    ("engagement:queue to moderate", "lab_staff"),
]

SEED = int(os.environ.get("FUZZ_SEED", "0"))
# The sample opens every core page, and one in SAMPLE_EVERY of the others (which ones, and
# the family each gets, move with FUZZ_SEED): about 40 s on two cores, database made.
SAMPLE_EVERY = 6
SAMPLE = [
    (route, persona)
    for route, persona in PAGES
    if route in CORE_PAGES or stable_index(f"{route} {persona}", SAMPLE_EVERY, SEED) == 0
]


def _sample_families(route: str) -> tuple[str, ...]:
    if route in CORE_PAGES:
        return FAMILY_NAMES
    return (FAMILY_NAMES[stable_index(route, len(FAMILY_NAMES), SEED)],)


@pytest.fixture
def anonymous_consultation(db):
    """A public consultation open to anonymous citizens: a short and a long text question,
    a number, and the hear-back address on its last (only) step."""
    from ecoute.models import Question
    from tests.ecoute.factories import ConsultationFactory, QuestionFactory, first_section

    consultation = ConsultationFactory(slug="fuzz-anonyme", allow_anonymous=True)
    section = first_section(consultation)
    QuestionFactory(section=section, label="Votre avis ?")
    QuestionFactory(section=section, label="Racontez-nous", kind=Question.Kind.LONG_TEXT)
    QuestionFactory(section=section, label="Combien de visites ?", kind=Question.Kind.NUMBER)
    return consultation


def _to_moderate(request) -> None:
    """A pending contribution, a reported comment of it, a comment of an initiative hidden
    until moderated: the moderation queues show their forms."""
    from criees.models import Comment
    from ecoute.models import Contribution, ContributionComment

    request.getfixturevalue("matrix_contribution")
    request.getfixturevalue("matrix_criees")
    Contribution.objects.update(status=Contribution.Status.PENDING)
    ContributionComment.objects.update(status=ContributionComment.Status.REPORTED)
    Comment.objects.update(status=Comment.Status.REPORTED)


def _page_url(route: str, request) -> str:
    if route == "ecoute:anonymous-answer":
        consultation = request.getfixturevalue("anonymous_consultation")
        return reverse("ecoute:answer", kwargs={"slug": consultation.slug})
    if route.endswith(" to moderate"):
        _to_moderate(request)
        route = route.removesuffix(" to moderate")
    row = MATRIX[route]
    url = reverse(route, kwargs=row.kwargs(request) if row.kwargs else None)
    if row.data:
        url += "?" + "&".join(f"{k}={v}" for k, v in row.data.items())
    return url


def _action_route(path: str) -> str | None:
    try:
        match = resolve(path.split("?", 1)[0])
    except Resolver404:
        return None
    return match.view_name


def _send(client, form, variant: list[str], family: str):
    data, markers = form.data(variant, family)
    if variant == [LONE_SURROGATE]:  # the client cannot encode it: the body is built here
        encoded = urlencoded_with_surrogate(data)
        if form.method == "get":
            separator = "&" if "?" in form.action else "?"
            url = f"{form.action}{separator}{encoded.decode()}"
            return client.get(url, follow=True), markers
        response = client.post(
            form.action, encoded, content_type="application/x-www-form-urlencoded", follow=True
        )
        return response, markers
    if form.method == "get":
        return client.get(form.action, data, follow=True), markers
    return client.post(form.action, data, follow=True), markers


def fuzz_page(route: str, persona: str, families: tuple[str, ...], client, request) -> list[str]:
    """Open the page as `persona`, send each of its forms once per variant of `families`;
    the problems found, as sentences."""
    url = _page_url(route, request)
    user = None if persona == "anonymous" else request.getfixturevalue(persona)
    if user is not None:
        client.force_login(user)
    page = client.get(url)
    assert page.status_code == 200, f"GET {url} as {persona}: {page.status_code}"
    if "html" not in page.get("Content-Type", ""):
        return []
    problems: list[str] = []
    forms = sent = 0
    for form in read_forms(page.content.decode(), url):
        action_route = _action_route(form.action)
        if action_route is None or action_route in SKIPPED_ACTIONS:
            continue
        if action_route in CHROME_ACTIONS and route != CHROME_ACTIONS[action_route]:
            continue
        forms += 1
        for family in families:
            for variant in FAMILIES[family]:
                sent += 1
                if user is not None:  # a form may end the session (deleting one's account)
                    client.force_login(user)
                response, markers = _send(client, form, variant, family)
                where = f"{form.method.upper()} {form.action} ({family}) from {url} as {persona}"
                if response.status_code >= 500:
                    problems.append(f"{where}: {response.status_code}")
                    continue
                if "html" not in response.get("Content-Type", ""):
                    continue
                html = response.content.decode(errors="replace")
                problems += [f"{where}: {p}" for p in xss_problems(html)]
                if family == "template":
                    problems += [f"{where}: {p}" for p in template_problems(html, markers)]
    if stats := os.environ.get("FUZZ_STATS"):  # a line per page, for counting
        with open(stats, "a", encoding="utf-8") as out:
            out.write(f"{route}\t{persona}\t{forms}\t{sent}\n")
    return problems


@pytest.mark.parametrize(("route", "persona"), SAMPLE, ids=[f"{r} as {p}" for r, p in SAMPLE])
def test_sample_of_hostile_text_is_refused_or_shown_escaped(route, persona, client, request):
    problems = fuzz_page(route, persona, _sample_families(route), client, request)
    assert not problems, "\n".join(problems)


@pytest.mark.fuzz
# Skipped before any fixture (no database for nothing) unless asked for; a string condition
# is the way a skipif mark reads the command line's -m.
@pytest.mark.skipif(
    "os.environ.get('FUZZ_FULL') != '1' and 'fuzz' not in (config.getoption('markexpr') or '')",
    reason="the full fuzzing runs with -m fuzz or FUZZ_FULL=1",
)
@pytest.mark.parametrize(("route", "persona"), PAGES, ids=[f"{r} as {p}" for r, p in PAGES])
def test_every_hostile_text_is_refused_or_shown_escaped(route, persona, client, request):
    problems = fuzz_page(route, persona, FAMILY_NAMES, client, request)
    assert not problems, "\n".join(problems)


# --- the fuzzer's own checks --------------------------------------------------------------------


def test_the_checks_see_an_unescaped_payload_and_an_evaluated_template():
    assert xss_problems('<p>FZXSS0Q <script>alert(1)</script></p><a href="javascript:x">')
    assert not xss_problems("<p>FZXSS0Q &lt;script&gt;alert(1)&lt;/script&gt;</p>")
    assert template_problems("<p>FZTEM0Q 49 </p>", ["FZTEM0Q"])
    assert not template_problems("<p>FZTEM0Q {{ 7*7 }} 49</p>", ["FZTEM0Q"])


def test_the_reader_fills_a_form_as_a_browser_would():
    html = """<form method="post" action="/x/"><input type="hidden" name="csrfmiddlewaretoken"
    value="t"><input name="title"><textarea name="body"></textarea><input type="email"
    name="mail"><select name="caf"><option value="">—</option><option value="38">Isère</option>
    </select><input type="radio" name="level" value="a"><input type="radio" name="level"
    value="b"><input type="checkbox" name="on" value="1" checked><input type="checkbox"
    name="off" value="1"><input type="file" name="doc"><button name="go" value="1">OK</button>
    </form><form method="post" action="https://ailleurs.example/"><input name="q"></form>"""
    (form,) = read_forms(html, "/page/")
    assert form.action == "/x/"
    assert form.fuzzed == ["title", "body", "mail"]
    data, markers = form.data(["<b>"], "xss")
    assert data["csrfmiddlewaretoken"] == ["t"]
    assert data["caf"] == ["38"]
    assert data["level"] == ["a"]
    assert data["on"] == ["1"]
    assert "off" not in data
    assert "doc" not in data
    assert data["go"] == ["1"]
    assert data["title"] == [f"{markers[0]} <b>"]


def test_an_xss_payload_sent_as_an_idea_comes_back_escaped(agent_a, client):
    """The fuzzer reaches stored text: an idea sent through its form shows its payload, escaped,
    on the page that follows (so a clean page means escaped, not lost)."""
    client.force_login(agent_a)
    url = reverse("ideas:idea-create")
    (form, *_) = [
        f for f in read_forms(client.get(url).content.decode(), url) if f.method == "post"
    ]
    data, markers = form.data(["<script>alert(1)</script>"], "xss")
    response = client.post(form.action, data, follow=True)
    html = response.content.decode()
    assert response.status_code == 200
    assert f"{markers[0]} &lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert not xss_problems(html)
