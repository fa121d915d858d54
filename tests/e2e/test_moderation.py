"""One moderation queue for every app, walked as a moderator would: from the home page's
"Modération" card, the comments waiting in every engageable app (ideas, initiatives,
contributions...) are in one table; the moderator ticks two from different apps with the
keyboard, hides them with a message, and finds them under "Masqués"; their authors are told.
Zero axe violations on every page visited."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from caflab.engagement import registry
from caflab.engagement.models import CommentStatus
from caflab.notifications.models import Notification
from tests.engagement.conftest import MAKERS

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_moderator_works_one_queue_for_every_app(
    page, live_server, login_as, assert_accessible, lab_staff
):
    comments = {
        key: maker.comment(text=f"Commentaire signalé ({key})", status=CommentStatus.REPORTED)
        for key, maker in MAKERS.items()
    }
    assert len(comments) >= 2, "the queue spans several apps"

    login_as(page, live_server, lab_staff)
    page.goto(live_server.url + reverse("core:home"))
    page.get_by_role("link", name="Modération").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Modération")
    assert_accessible(page)

    table = page.get_by_role("table")
    for key, comment in comments.items():
        expect(table).to_contain_text(comment.text)
        expect(table).to_contain_text(str(registry.get(key).label))

    # Two comments of two apps, ticked with the keyboard.
    chosen = list(comments)[:2]
    for key in chosen:
        box = page.get_by_role("checkbox", name=comments[key].text)
        box.focus()
        page.keyboard.press("Space")
        expect(box).to_be_checked()
    # Exact: the queue's table region is named after its caption, which says "Action" too.
    page.get_by_label("Action", exact=True).select_option(label="Masquer")
    page.get_by_label("Message aux auteurs (facultatif)").fill("Propos hors charte.")
    page.get_by_role("button", name="Appliquer").click()
    expect(page.get_by_text("2 élément(s) traité(s)\u00a0: masquer.")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("État").select_option(label="Masqués")
    page.get_by_role("button", name="Filtrer").click()
    for key in chosen:
        expect(page.get_by_role("table")).to_contain_text(comments[key].text)
    assert_accessible(page)

    for key in chosen:
        comment = comments[key]
        comment.refresh_from_db()
        assert comment.status == CommentStatus.HIDDEN
        told = Notification.objects.get(
            recipient=comment.author, kind=registry.get(key).kinds["hidden"]
        )
        assert told.body == "Propos hors charte."
