"""The engagement layer's rules, proved once per registered app (ideas, initiatives,
contributions): one support per person, reports hide a comment until a moderator looks, one
moderation queue for every app with bulk actions and a message to the authors."""

import pytest
from django.conf import settings
from django.urls import reverse

from caflab.core.errors import AlreadyDone
from caflab.engagement import registry, services
from caflab.engagement.models import CommentStatus
from caflab.notifications.models import Notification
from tests.accounts.factories import UserFactory
from tests.engagement.conftest import MAKERS
from tests.queries import assert_flat_query_count

pytestmark = pytest.mark.django_db

KEYS = sorted(MAKERS)


def test_every_engageable_is_covered_here():
    assert sorted(e.key for e in registry.engageables()) == KEYS


@pytest.mark.parametrize("key", KEYS)
def test_a_second_support_is_already_done_and_keeps_one_row(key):
    target = MAKERS[key].target()
    spec = registry.get(key)
    if spec.support_model is None:
        pytest.skip(f"{key} takes no support")
    person = UserFactory()
    services.support_add(target=target, by=person)
    with pytest.raises(AlreadyDone):
        services.support_add(target=target, by=person)
    assert spec.support_model.objects.filter(**{spec.target_field: target}).count() == 1
    services.support_remove(target=target, by=person)
    with pytest.raises(AlreadyDone):
        services.support_remove(target=target, by=person)


@pytest.mark.parametrize("key", KEYS)
def test_reports_hide_a_comment_until_a_moderator_restores_it(client, request, key):
    maker = MAKERS[key]
    moderator = maker.moderator(request)
    comment = maker.comment(text="Propos déplacés")
    for _ in range(settings.ENGAGEMENT_REPORTS_TO_HIDE - 1):
        services.comment_report(comment=comment, by=UserFactory())
    comment.refresh_from_db()
    assert comment.status == CommentStatus.VISIBLE
    reporter = UserFactory()
    services.comment_report(comment=comment, by=reporter, reason="Insultant")
    with pytest.raises(AlreadyDone):
        services.comment_report(comment=comment, by=reporter)
    comment.refresh_from_db()
    assert comment.status == CommentStatus.REPORTED

    client.force_login(moderator)
    # The moderators are told, with a link to the queue filtered to this app's comments.
    told = Notification.objects.filter(kind=registry.get(key).kinds["reported"]).first()
    assert told is not None
    filters = client.get(told.url).context["filters"]
    assert filters.is_valid(), filters.errors
    assert filters.cleaned_data["type"] == registry.get(key).comments_kind
    queue = client.get(reverse("engagement:queue"))
    row = next(r for r in queue.context["rows"] if r.pk == comment.pk)
    assert row.kind.key == f"{key}-commentaires"
    assert row.n_reports == settings.ENGAGEMENT_REPORTS_TO_HIDE
    assert row.reasons == ["Insultant"]

    response = client.post(
        reverse("engagement:queue"), {"items": [row.value], "action": "restore", "message": ""}
    )
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.status == CommentStatus.VISIBLE
    assert comment.moderated_by == moderator
    # Its past reports no longer count: one new report does not hide it again.
    services.comment_report(comment=comment, by=UserFactory())
    comment.refresh_from_db()
    assert comment.status == CommentStatus.VISIBLE


@pytest.mark.parametrize("key", KEYS)
def test_hiding_tells_the_author_with_the_moderators_message(client, request, key):
    maker = MAKERS[key]
    comment = maker.comment(text="Hors sujet")
    client.force_login(maker.moderator(request))
    value = f"{key}-commentaires:{comment.pk}"
    client.post(
        reverse("engagement:queue"),
        {"items": [value], "action": "hide", "message": "Merci de rester sur le sujet."},
    )
    comment.refresh_from_db()
    assert comment.status == CommentStatus.HIDDEN
    assert comment.moderation_note == "Merci de rester sur le sujet."
    told = Notification.objects.get(
        recipient=comment.author, kind=registry.get(key).kinds["hidden"]
    )
    assert told.body == "Merci de rester sur le sujet."
    # Hiding it again (another moderator was first) is "already done", not an error.
    response = client.post(
        reverse("engagement:queue"), {"items": [value], "action": "hide"}, follow=True
    )
    assert "déjà dans cet état" in response.content.decode()


def test_two_moderators_on_the_same_comments_move_each_once(moderator):
    spec = registry.get("initiatives")
    comments = [MAKERS["initiatives"].comment() for _ in range(3)]
    pks = [c.pk for c in comments]
    first = services.comments_moderate(spec=spec, pks=pks, by=moderator, action="hide")
    second = services.comments_moderate(spec=spec, pks=pks, by=UserFactory(), action="hide")
    assert (len(first.done), first.skipped) == (3, 0)
    assert (len(second.done), second.skipped) == (0, 3)
    assert Notification.objects.filter(kind=spec.kinds["hidden"]).count() == 3


def test_the_queue_is_refused_to_who_moderates_nothing(client, agent_b):
    client.force_login(agent_b)
    assert client.get(reverse("engagement:queue")).status_code == 403
    assert client.post(reverse("engagement:queue"), {"action": "hide"}).status_code == 403


def test_a_bulk_action_without_a_choice_says_why_and_keeps_the_message(client, moderator):
    MAKERS["initiatives"].comment(status=CommentStatus.REPORTED)
    client.force_login(moderator)
    response = client.post(
        reverse("engagement:queue"), {"action": "hide", "message": "Mon message"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Cochez au moins un élément." in page
    assert "Mon message" in page


def test_an_unknown_item_is_refused_with_a_clear_error(client, moderator):
    client.force_login(moderator)
    response = client.post(reverse("engagement:queue"), {"items": ["inconnu:1"], "action": "hide"})
    assert response.status_code == 400
    assert "Élément inconnu" in response.content.decode()


def test_the_hidden_tab_lists_what_the_moderation_hid(client, moderator):
    hidden = MAKERS["initiatives"].comment(status=CommentStatus.HIDDEN)
    waiting = MAKERS["initiatives"].comment(status=CommentStatus.REPORTED)
    client.force_login(moderator)
    rows = client.get(reverse("engagement:queue"), {"etat": "hidden"}).context["rows"]
    assert [r.pk for r in rows] == [hidden.pk]
    rows = client.get(reverse("engagement:queue")).context["rows"]
    assert [r.pk for r in rows] == [waiting.pk]


def test_the_queue_costs_the_same_whatever_it_holds(client, lab_staff):
    """The session and the user, then per kind (three apps' comments and écoute's
    contributions) its count, its page and its reports: 2 + 4 × 3."""
    client.force_login(lab_staff)

    def add_rows(n):
        for key in KEYS:
            for _ in range(n):
                comment = MAKERS[key].comment(status=CommentStatus.REPORTED)
                spec = registry.get(key)
                if spec.comment_report_model is not None:
                    spec.comment_report_model.objects.create(
                        comment=comment, reporter=UserFactory(), reason="x"
                    )

    assert_flat_query_count(
        client, reverse("engagement:queue"), add_rows, sizes=(2, 6), expected=14
    )


def test_the_home_shows_the_queue_to_whoever_moderates_something(
    client, agent_b, correspondent_a, moderator
):
    queue = reverse("engagement:queue")
    for person, shown in ((moderator, True), (correspondent_a, True), (agent_b, False)):
        client.force_login(person)
        assert (queue in client.get(reverse("core:home")).content.decode()) is shown, person
