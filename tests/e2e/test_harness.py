"""The harness itself: it must catch what it claims to catch, or every other e2e test lies."""

import pytest
from django.urls import reverse

from tests.e2e.conftest import check_accessible, csp_violations

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_axe_check_fails_on_an_unlabelled_field(page, live_server):
    page.goto(live_server.url + reverse("core:home"))
    page.evaluate("document.querySelector('main').appendChild(document.createElement('input'))")
    with pytest.raises(pytest.fail.Exception, match="label"):
        check_accessible(page)


def test_an_inline_script_is_reported_as_a_csp_violation(page, live_server, console_messages):
    page.goto(live_server.url + reverse("core:home"))
    page.evaluate(
        """() => {
            const script = document.createElement('script');
            script.textContent = 'window.injected = true';
            document.body.appendChild(script);
        }"""
    )
    page.wait_for_timeout(200)
    assert page.evaluate("window.injected === undefined")
    assert csp_violations(console_messages)
    console_messages.clear()  # expected here: do not fail the test at teardown


def test_every_browser_context_is_opened_the_same_way():
    """Contexts opened by hand missed reduced motion: axe then caught a button's colour
    transition half-way after a click, a contrast failure that came and went with the load.
    Every walk opens its contexts through `conftest.new_context`."""
    from pathlib import Path

    folder = Path(__file__).parent
    by_hand = [
        path.name
        for path in sorted(folder.glob("*.py"))
        if path.name not in {"conftest.py", Path(__file__).name}
        and "browser.new_context(" in path.read_text()
    ]
    assert by_hand == []
