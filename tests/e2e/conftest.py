"""Browser-test harness: Playwright (sync API) driving Debian's chromium, axe-core for RGAA.

Fixtures for every e2e test:
- `browser` (session): headless chromium from /usr/bin/chromium; skipped when it is missing,
  unless E2E_REQUIRED=1 (CI), where its absence fails the run;
- `page`: a fresh context (fr-FR) per test; it records console messages and page errors in
  `console_messages`, and fails the test at teardown on any Content-Security-Policy violation;
- `login_as(page, live_server, user)`: signs in through the login form, as a person would;
- `assert_accessible(page)`: runs axe-core on the current page, fails with a readable list.

Every test is marked `e2e` and uses `live_server`; mark it
`@pytest.mark.django_db(transaction=True, serialized_rollback=True)` so that the reference data
loaded by migrations (the 101 Caf…) survive the flush between transactional tests.
"""

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.db import connections
from django.urls import reverse
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright
from playwright.sync_api import Error as PlaywrightError

from tests.accounts.factories import TEST_PASSWORD

# Playwright's sync API runs an event loop in this thread; the ORM must still be usable here.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DEFAULT_TIMEOUT_MS = 10_000
CSP_MARKER = "Content Security Policy"

_axe = Axe()


@pytest.fixture(scope="session")
def browser(django_db_setup: None, django_db_blocker: Any) -> Iterator[Browser]:
    if not CHROMIUM.exists():
        reason = f"browser tests need Debian's chromium at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("E2E_REQUIRED") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    with django_db_blocker.unblock():
        test_connections = {alias: connections[alias] for alias in connections}
    with sync_playwright() as playwright:
        # Entering Playwright's sync API leaves this thread in a fresh contextvars context,
        # where Django's per-context connection storage is empty: new connection objects would
        # lack the serialized test data that `serialized_rollback` restores, and every later
        # transactional test would start without the reference data. Put the test
        # connections back.
        for alias, connection in test_connections.items():
            connections[alias] = connection
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


def new_context(browser: Browser, **options: Any) -> BrowserContext:
    """A browser context as every walk opens one: French, Paris time, and reduced motion, so
    that no colour transition (a button's hover after a click) is caught half-way when axe
    measures contrast. Every context of the browser tests comes from here (test_harness)."""
    context = browser.new_context(
        **{"locale": "fr-FR", "timezone_id": "Europe/Paris", "reduced_motion": "reduce", **options}
    )
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    return context


@pytest.fixture
def browser_context(browser: Browser) -> Iterator[BrowserContext]:
    context = new_context(browser)
    yield context
    context.close()


@pytest.fixture
def console_messages() -> list[str]:
    """Everything the page logged ("type: text") and every uncaught page error."""
    return []


@pytest.fixture
def page(browser_context: BrowserContext, console_messages: list[str]) -> Iterator[Page]:
    page = browser_context.new_page()
    page.on("console", lambda message: console_messages.append(f"{message.type}: {message.text}"))
    page.on("pageerror", lambda error: console_messages.append(f"pageerror: {error}"))
    yield page
    violations = csp_violations(console_messages)
    if violations:
        pytest.fail("Content-Security-Policy violations:\n" + "\n".join(violations))


def csp_violations(messages: list[str]) -> list[str]:
    return [message for message in messages if CSP_MARKER in message]


def login(page: Page, live_server: Any, user: Any, password: str = TEST_PASSWORD) -> None:
    """Sign in through the login form, by its labels, and wait to leave the login page."""
    login_path = reverse("accounts:login")
    page.goto(live_server.url + login_path)
    page.get_by_label("Adresse e-mail").fill(user.email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(lambda url: login_path not in url)


@pytest.fixture
def login_as() -> Callable[..., None]:
    """`login_as(page, live_server, user)`: sign `user` in through the login form."""
    return login


def format_violations(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation.get('impact')}): {violation['help']}")
        for node in violation["nodes"]:
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            lines.append(f"    {node['target']}: {summary}")
    return "\n".join(lines)


# What the page says when axe was injected into a document that a navigation then replaced:
# a click on a link returns before the next page has committed, so axe can meet the old
# document half torn down. Running it again once the new page has loaded is the answer.
NAVIGATION_RACES = (
    "Execution context was destroyed",
    "reading 'documentElement'",
    "Cannot find context with specified id",
)
AXE_ATTEMPTS = 3


def check_accessible(page: Page) -> None:
    """Run axe-core on the page once it has loaded; fail with one line per violation and node."""
    for attempt in range(1, AXE_ATTEMPTS + 1):
        page.wait_for_load_state("load")
        try:
            results = _axe.run(page)
            break
        except PlaywrightError as error:
            if attempt == AXE_ATTEMPTS or not any(r in str(error) for r in NAVIGATION_RACES):
                raise
    violations = results.response["violations"]
    if violations:
        pytest.fail(
            f"{len(violations)} axe violation(s) on {page.url}:\n{format_violations(violations)}"
        )


@pytest.fixture
def assert_accessible() -> Callable[[Page], None]:
    """`assert_accessible(page)`: zero axe-core violations on the current page."""
    return check_accessible
