"""An initiative's comments come by parts of COMMENT_THREADS threads, the latest first, each
thread whole; "Voir les commentaires précédents" loads the next part (htmx, or ?page=)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from criees.models import Comment
from criees.views.initiative import COMMENT_THREADS
from tests.criees.factories import CommentFactory
from tests.queries import assert_flat_query_count

pytestmark = pytest.mark.django_db


def page_url(initiative) -> str:
    return reverse("criees:initiative", kwargs={"pk": initiative.pk})


def _threads(initiative, n: int, *, replies: int = 1) -> list[Comment]:
    """`n` threads, the first the oldest, each with `replies` replies."""
    start = timezone.now() - datetime.timedelta(days=n + 1)
    roots = []
    for i in range(n):
        root = CommentFactory(initiative=initiative, text=f"Fil {i}")
        Comment.objects.filter(pk=root.pk).update(created_at=start + datetime.timedelta(days=i))
        for j in range(replies):
            CommentFactory(initiative=initiative, parent=root, text=f"Réponse {i}.{j}")
        roots.append(root)
    return roots


def test_the_page_shows_the_latest_threads_whole_then_a_link_to_the_older(
    client, agent_b, initiative
):
    _threads(initiative, COMMENT_THREADS + 5, replies=2)
    client.force_login(agent_b)
    response = client.get(page_url(initiative))
    part = response.context["comments"]
    assert [c.text for c in part][:2] == [
        f"Fil {COMMENT_THREADS + 4}",
        f"Fil {COMMENT_THREADS + 3}",
    ]
    assert len(part) == COMMENT_THREADS
    assert [r.text for r in part[0].thread] == [
        f"Réponse {COMMENT_THREADS + 4}.0",
        f"Réponse {COMMENT_THREADS + 4}.1",
    ]
    html = response.content.decode()
    assert "Voir les commentaires précédents" in html
    assert f'data-hx-get="{page_url(initiative)}?page=2"' in html
    assert "Fil 0" not in html

    older = client.get(page_url(initiative), {"page": 2})
    assert [c.text for c in older.context["comments"]] == [f"Fil {i}" for i in range(4, -1, -1)]
    assert "Revenir aux commentaires les plus récents" in older.content.decode()


def test_htmx_gets_only_the_next_part(client, agent_b, initiative):
    _threads(initiative, COMMENT_THREADS + 2)
    client.force_login(agent_b)
    response = client.get(page_url(initiative), {"page": 2}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert '<div id="partie-commentaires-2">' in html
    assert "Fil 0" in html
    assert "Fil 1" in html
    assert "Fil 2" not in html
    assert "<html" not in html


def test_a_page_number_out_of_range_shows_the_last_part(client, agent_b, initiative):
    _threads(initiative, 3)
    client.force_login(agent_b)
    for page in ("9", "abc", "-1"):
        assert len(client.get(page_url(initiative), {"page": page}).context["comments"]) == 3


def test_hidden_comments_are_for_moderators_only(client, agent_b, moderator, initiative):
    visible, hidden = _threads(initiative, 2)
    Comment.objects.filter(pk=hidden.pk).update(status=Comment.Status.HIDDEN)
    client.force_login(agent_b)
    assert [c.pk for c in client.get(page_url(initiative)).context["comments"]] == [visible.pk]
    client.force_login(moderator)
    assert [c.pk for c in client.get(page_url(initiative)).context["comments"]] == [
        hidden.pk,
        visible.pk,
    ]


def test_a_reply_to_an_old_thread_brings_back_to_its_part(client, agent_b, initiative):
    oldest = _threads(initiative, COMMENT_THREADS + 1)[0]
    client.force_login(agent_b)
    response = client.post(
        reverse("criees:comment-add", kwargs={"pk": initiative.pk}),
        {"commentaire-text": "Toujours d'actualité.", "commentaire-parent": oldest.pk},
    )
    reply = Comment.objects.get(text="Toujours d'actualité.")
    assert response["Location"] == f"{page_url(initiative)}?page=2#commentaire-{reply.pk}"


def test_the_initiative_page_costs_the_same_queries_whatever_its_comments(
    client, agent_b, initiative
):
    client.force_login(agent_b)
    count = assert_flat_query_count(
        client, page_url(initiative), lambda n: _threads(initiative, n, replies=2), sizes=(2, 40)
    )
    assert count <= 15
