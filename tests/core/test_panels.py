"""Page panels (caflab.core.panels): a page shows what other apps registered on it, in order,
without knowing them; and the pages that used to know them (the project page, a Caf's
dashboard) no longer do."""

import re
from pathlib import Path

import pytest
from django.apps import apps
from django.template import engines
from django.test import RequestFactory

from caflab.core.panels import panels_of, register_panel, unregister_panel

ROOT = Path(__file__).resolve().parents[2]
DOMAIN_APPS = ("projects", "criees", "ecoute", "evaluation")


# The pages these tests register on: no app uses them.
TEST_PAGES = ("thing", "elsewhere")


@pytest.fixture
def registry():
    """The test registers on pages of its own; they are emptied before and after it."""

    def empty() -> None:
        for page in TEST_PAGES:
            for panel in panels_of(page):
                unregister_panel(page, panel.name)

    empty()
    yield
    empty()


@pytest.fixture
def panel_templates(settings):
    settings.TEMPLATES = [
        {
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "OPTIONS": {
                "loaders": [
                    (
                        "django.template.loaders.locmem.Loader",
                        {
                            "a.html": "[A {{ word }}]",
                            "b.html": "[B {{ word }}]",
                            "c.html": "[C {{ word }}{{ secret }}]",
                        },
                    )
                ],
            },
        }
    ]


def render_page(page: str, obj: object = None, **variables) -> str:
    template = engines["django"].from_string(
        "{% load panels %}<main>{% page_panels page obj %}</main>"
    )
    request = RequestFactory().get("/")
    return template.render({"page": page, "obj": obj, "request": request, **variables})


def test_panels_are_shown_in_their_order_then_by_name(registry, panel_templates):
    register_panel("thing", name="b", template="b.html", context=lambda r, o: {"word": 2}, order=20)
    register_panel("thing", name="c", template="c.html", context=lambda r, o: {"word": 3}, order=10)
    register_panel("thing", name="a", template="a.html", context=lambda r, o: {"word": 1}, order=10)
    assert [p.name for p in panels_of("thing")] == ["a", "c", "b"]
    assert render_page("thing") == "<main>[A 1][C 3][B 2]</main>"


def test_a_panel_whose_context_is_none_is_not_shown(registry, panel_templates):
    seen = []

    def only_for_even(request, obj):
        seen.append((request.path, obj))
        return {"word": obj} if obj % 2 == 0 else None

    register_panel("thing", name="a", template="a.html", context=only_for_even)
    register_panel("thing", name="b", template="b.html", context=lambda r, o: {"word": "!"})
    assert render_page("thing", 3) == "<main>[B !]</main>"
    assert render_page("thing", 4) == "<main>[A 4][B !]</main>"
    assert seen == [("/", 3), ("/", 4)]


def test_an_unknown_page_renders_nothing(registry, panel_templates):
    register_panel("thing", name="a", template="a.html", context=lambda r, o: {})
    assert panels_of("elsewhere") == []
    assert render_page("elsewhere") == "<main></main>"


def test_a_panel_sees_its_context_only_not_the_page_variables(registry, panel_templates):
    register_panel("thing", name="c", template="c.html", context=lambda r, o: {"word": "x"})
    assert render_page("thing", secret="page-only") == "<main>[C x]</main>"


def test_registering_a_name_again_replaces_it_and_unregistering_removes_it(registry):
    register_panel("thing", name="a", template="a.html", context=lambda r, o: {}, order=5)
    register_panel("thing", name="a", template="b.html", context=lambda r, o: {}, order=1)
    assert [(p.name, p.template, p.order) for p in panels_of("thing")] == [("a", "b.html", 1)]
    unregister_panel("thing", "a")
    unregister_panel("thing", "never-registered")
    assert panels_of("thing") == []


# --- what the apps register ------------------------------------------------------------------


def test_the_apps_put_their_sections_on_the_project_page_and_the_caf_dashboard():
    assert [p.name for p in panels_of("project")] == ["kits", "evaluation"]
    assert [p.name for p in panels_of("caf_dashboard")] == [
        "projects",
        "criees",
        "ecoute",
        "evaluation",
    ]


@pytest.mark.django_db
def test_the_evaluation_project_panel_is_hidden_from_citizens(citizen, agent_a):
    from evaluation.panels import project_page
    from tests.projects.factories import ProjectFactory

    project = ProjectFactory()
    request = RequestFactory().get("/")
    request.user = citizen
    assert project_page.context(request, project) is None
    request.user = agent_a
    assert project_page.context(request, project)["project"] == project


# --- the pages no longer know the apps above them ----------------------------------------------


def _tag_libraries_of(*app_labels: str) -> set[str]:
    names = set()
    for label in app_labels:
        folder = Path(apps.get_app_config(label).path) / "templatetags"
        names |= {p.stem for p in folder.glob("*.py") if p.stem != "__init__"}
    return names


def test_no_portfolio_template_loads_a_tag_library_or_url_of_evaluation_ecoute_or_criees():
    libraries = _tag_libraries_of("evaluation", "ecoute", "criees")
    url = re.compile(r"""\{%\s*url\s+["'](evaluation|ecoute|criees):""")
    found = []
    for path in sorted((ROOT / "templates" / "projects").rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        for load in re.findall(r"\{%\s*load\s+([^%]*?)\s*%\}", text):
            names = set(load.split())
            if "from" in names:  # {% load tag from library %}
                names = {load.split()[-1]}
            found += [f"{path.name} loads {n}" for n in sorted(names & libraries)]
        found += [f"{path.name} links to {m}:" for m in url.findall(text)]
    assert found == []


def test_no_network_template_or_view_reverses_a_domain_url():
    domain_url = re.compile(rf"""["']({"|".join(DOMAIN_APPS)}):""")
    files = [
        *sorted((ROOT / "templates" / "network").rglob("*.html")),
        *sorted((ROOT / "caflab" / "network").rglob("*.py")),
    ]
    found = [
        f"{path.relative_to(ROOT)}: {match.group(0)}"
        for path in files
        for match in domain_url.finditer(path.read_text(encoding="utf-8"))
    ]
    assert found == []
