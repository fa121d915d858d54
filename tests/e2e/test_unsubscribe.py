"""Issue 17: a person who receives a digest opens the "unsubscribe" link of the real e-mail,
without being signed in, confirms with the keyboard and sees it done; their preference is now
"never". Zero axe violations on the pages visited."""

import pytest
from django.core import mail
from playwright.sync_api import expect

from caflab.accounts.models import EmailFrequency
from caflab.notifications.services import digests_send, notify
from tests.accounts.factories import UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

MAX_TABS = 60


def test_a_person_turns_the_e_mails_off_from_the_link_of_a_digest_by_keyboard(
    live_server, page, assert_accessible
):
    person = UserFactory(
        email="parent@example.org", citizen=True, email_frequency=EmailFrequency.DAILY
    )
    notify(recipients=[person], kind="test.event", title="Une consultation s’ouvre", url="/")
    digests_send(frequency=EmailFrequency.DAILY)  # committed: the digest goes out

    [message] = mail.outbox
    [(html, _mimetype)] = message.alternatives
    link = message.extra_headers["List-Unsubscribe"].strip("<>")
    assert f'href="{link}"' in html  # the same link as the footer of the mail
    page.goto(live_server.url + "/" + link.split("://", 1)[1].split("/", 1)[1])
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Ne plus recevoir les e-mails de notification"
    )
    expect(page.get_by_role("main")).to_contain_text("récapitulatif")
    assert_accessible(page)

    button = page.get_by_role("button", name="Ne plus recevoir ces e-mails")
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if button.evaluate("element => element === document.activeElement"):
            break
    else:
        pytest.fail("The confirmation button cannot be reached with the Tab key.")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("vous ne recevrez plus d’e-mails")
    assert_accessible(page)
    person.refresh_from_db()
    assert person.email_frequency == EmailFrequency.NEVER
