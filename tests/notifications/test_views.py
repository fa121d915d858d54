"""The notification centre: each user reaches only their own notifications."""

from datetime import timedelta
from html import unescape

import pytest
from django.conf import settings
from django.db import connection
from django.shortcuts import resolve_url
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from caflab.notifications.context_processors import notifications as unread_context
from caflab.notifications.models import Notification
from tests.accounts.factories import UserFactory
from tests.notifications.factories import NotificationFactory

pytestmark = pytest.mark.django_db

LIST = reverse("notifications:list")
MARK_ALL_READ = reverse("notifications:mark-all-read")


def open_url(notification: Notification) -> str:
    return reverse("notifications:open", kwargs={"pk": notification.pk})


def login(client, user):
    if user is not None:
        client.force_login(user)
    return client


def assert_redirects_to_login(response) -> None:
    assert response.status_code == 302
    assert response["Location"].startswith(resolve_url(settings.LOGIN_URL))
    assert "next=" in response["Location"]


# --- access by persona --------------------------------------------------------------------


@pytest.mark.parametrize(
    "persona", ["lab_staff", "correspondent_a", "agent_a", "agent_b", "citizen"], indirect=True
)
def test_every_signed_in_persona_has_a_notification_centre(client, persona):
    assert login(client, persona).get(LIST).status_code == 200


@pytest.mark.parametrize(
    "persona", ["lab_staff", "correspondent_a", "agent_b", "citizen"], indirect=True
)
def test_opening_someone_elses_notification_is_a_404_even_for_the_lab(client, persona, agent_a):
    notification = NotificationFactory(recipient=agent_a, url="/projets/1/")
    assert login(client, persona).post(open_url(notification)).status_code == 404
    notification.refresh_from_db()
    assert not notification.is_read


@pytest.mark.parametrize("url", [LIST, MARK_ALL_READ])
def test_anonymous_visitors_are_sent_to_login(client, url):
    assert_redirects_to_login(client.get(url))
    assert_redirects_to_login(client.post(url))


def test_anonymous_visitors_cannot_open_a_notification(client, agent_a):
    notification = NotificationFactory(recipient=agent_a)
    assert_redirects_to_login(client.post(open_url(notification)))


def test_opening_needs_a_post(client, agent_a):
    notification = NotificationFactory(recipient=agent_a)
    assert login(client, agent_a).get(open_url(notification)).status_code == 405


# --- the list -----------------------------------------------------------------------------


def test_the_list_shows_only_my_notifications_unread_first_then_newest(client, agent_a, agent_b):
    now = timezone.now()
    old_unread = NotificationFactory(
        recipient=agent_a, title="Ancienne non lue", created_at=now - timedelta(days=3)
    )
    older_read = NotificationFactory(
        recipient=agent_a, title="Lue, plus ancienne", created_at=now - timedelta(days=2)
    )
    newer_read = NotificationFactory(
        recipient=agent_a, title="Lue, plus récente", created_at=now - timedelta(days=1)
    )
    newer_read.mark_read()
    older_read.mark_read()  # read last: the reading order does not matter
    NotificationFactory(recipient=agent_b, title="Celle de quelqu'un d'autre")
    response = login(client, agent_a).get(LIST)
    assert list(response.context["notifications"]) == [old_unread, newer_read, older_read]
    html = response.content.decode()
    assert "Celle de quelqu" not in html
    assert html.count("<h1") == 1
    assert "Non lues (1)" in html or "Non lue (1)" in html


def test_the_unread_filter_hides_the_read_ones(client, agent_a):
    NotificationFactory(recipient=agent_a, title="Lue").mark_read()
    NotificationFactory(recipient=agent_a, title="À lire")
    response = login(client, agent_a).get(LIST, {"etat": "non-lues"})
    assert [n.title for n in response.context["notifications"]] == ["À lire"]


def test_an_empty_centre_says_so(client, citizen):
    response = login(client, citizen).get(LIST)
    assert "Vous n’avez aucune notification." in unescape(response.content.decode())


def test_the_list_costs_the_same_queries_with_3_or_40_notifications(client, agent_a):
    login(client, agent_a)

    def queries_for(count: int) -> int:
        Notification.objects.all().delete()
        NotificationFactory.create_batch(count, recipient=agent_a)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(LIST).status_code == 200
        return len(captured)

    small, large = queries_for(3), queries_for(40)
    assert small == large
    # session, user (with their Caf, for the header menu), paginator COUNT, unread badge
    # (context processor), the page.
    assert large == 5


# --- opening and marking read ---------------------------------------------------------------


def test_opening_marks_read_and_follows_the_link(client, agent_a):
    notification = NotificationFactory(recipient=agent_a, url="/projets/12/")
    response = login(client, agent_a).post(open_url(notification))
    assert response.status_code == 302
    assert response["Location"] == "/projets/12/"
    notification.refresh_from_db()
    assert notification.is_read


@pytest.mark.parametrize(
    "url", ["https://ailleurs.example/piege", "//ailleurs.example/piege", "", "javascript:x"]
)
def test_an_unsafe_or_missing_link_leads_back_to_the_list(client, agent_a, url):
    notification = NotificationFactory(recipient=agent_a, url=url)
    response = login(client, agent_a).post(open_url(notification))
    assert response["Location"] == LIST
    notification.refresh_from_db()
    assert notification.is_read


def test_opening_with_htmx_asks_the_browser_to_go_to_the_link(client, agent_a):
    notification = NotificationFactory(recipient=agent_a, url="/projets/12/")
    response = login(client, agent_a).post(open_url(notification), headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response["HX-Redirect"] == "/projets/12/"


def test_mark_all_read_marks_only_mine(client, agent_a, agent_b):
    mine = NotificationFactory.create_batch(3, recipient=agent_a)
    theirs = NotificationFactory(recipient=agent_b)
    response = login(client, agent_a).post(MARK_ALL_READ, follow=True)
    assert response.redirect_chain == [(LIST, 302)]
    assert "Toutes vos notifications sont marquées comme lues." in response.content.decode()
    assert not Notification.objects.filter(pk__in=[n.pk for n in mine]).unread().exists()
    theirs.refresh_from_db()
    assert not theirs.is_read


def test_mark_all_read_keeps_the_unread_filter(client, agent_a):
    NotificationFactory(recipient=agent_a)
    response = login(client, agent_a).post(MARK_ALL_READ, {"etat": "non-lues"})
    assert response["Location"] == f"{LIST}?etat=non-lues"


def test_mark_all_read_with_htmx_redirects_to_the_list_it_swaps_in(client, agent_a):
    NotificationFactory(recipient=agent_a)
    response = login(client, agent_a).post(MARK_ALL_READ, headers={"HX-Request": "true"})
    assert response.status_code == 302
    assert response["Location"] == LIST
    page = client.get(LIST).content.decode()
    assert 'id="notification-region"' in page
    assert "Tout marquer comme lu" not in page  # nothing left to mark


# --- the unread badge (context processor) -------------------------------------------------


def test_the_context_processor_counts_my_unread_notifications_in_one_query(
    rf, agent_a, agent_b, django_assert_num_queries
):
    NotificationFactory.create_batch(2, recipient=agent_a)
    NotificationFactory(recipient=agent_a).mark_read()
    NotificationFactory(recipient=agent_b)
    request = rf.get("/")
    request.user = agent_a
    with django_assert_num_queries(1):
        assert unread_context(request) == {"notifications_unread_count": 2}


def test_the_context_processor_gives_nothing_to_anonymous_visitors(rf):
    from django.contrib.auth.models import AnonymousUser

    request = rf.get("/")
    request.user = AnonymousUser()
    assert unread_context(request) == {}


def test_the_header_badge_shows_the_unread_count(client, agent_a):
    NotificationFactory.create_batch(3, recipient=agent_a)
    html = login(client, agent_a).get(LIST).content.decode()
    assert "3 non lues" in html


def test_a_new_user_sees_the_badge_of_their_own_notifications_only(client):
    user = UserFactory(citizen=True)
    NotificationFactory.create_batch(2)  # other recipients
    response = login(client, user).get(LIST)
    assert response.context["notifications_unread_count"] == 0
