"""A contribution's comments load by parts, as an idea's and an initiative's do (issue 20): the
latest 30 threads with all their replies, then "Voir les commentaires précédents" (htmx, or
?page= without JavaScript); the page costs the same number of queries whatever the comments."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from ecoute.models import Consultation, ContributionComment
from ecoute.views.contributions import COMMENT_THREADS
from tests.accounts.factories import UserFactory
from tests.ecoute.factories import ConsultationFactory, ContributionFactory
from tests.queries import assert_flat_query_count

pytestmark = pytest.mark.django_db

Status = ContributionComment.Status


@pytest.fixture
def contribution(correspondent_a, caf_a, citizen):
    call = ConsultationFactory(
        owner=correspondent_a,
        caf=caf_a,
        audience=Consultation.Audience.BOTH,
        collects_contributions=True,
    )
    return ContributionFactory(consultation=call, author=citizen, title="Visio le soir")


def add_threads(contribution, n: int, *, status=Status.VISIBLE, start: int = 0) -> list:
    """`n` top-level comments, one minute apart (the last is the newest), each with a reply."""
    author = UserFactory(citizen=True)
    base = timezone.now() - datetime.timedelta(days=1)
    roots = []
    for i in range(start, start + n):
        at = base + datetime.timedelta(minutes=i)
        root = ContributionComment.objects.create(
            contribution=contribution, author=author, text=f"Fil {i}", status=status
        )
        reply = ContributionComment.objects.create(
            contribution=contribution, author=author, parent=root, text=f"Réponse {i}"
        )
        ContributionComment.objects.filter(pk__in=[root.pk, reply.pk]).update(created_at=at)
        roots.append(root)
    return roots


def page_of(client, contribution, query: str = "", **headers) -> str:
    response = client.get(contribution.get_absolute_url() + query, **headers)
    assert response.status_code == 200
    return response.content.decode()


def test_the_page_shows_the_latest_threads_with_their_replies_then_a_link(client, contribution):
    add_threads(contribution, COMMENT_THREADS + 1)
    page = page_of(client, contribution)
    assert f"Fil {COMMENT_THREADS}<" in page  # the newest
    assert f"Réponse {COMMENT_THREADS}<" in page
    assert "Fil 0<" not in page  # the oldest waits for the next part
    assert "Voir les commentaires précédents" in page
    assert f"{COMMENT_THREADS + 1} fils de discussion" in page

    older = page_of(client, contribution, "?page=2")
    assert "Fil 0<" in older
    assert "Réponse 0<" in older
    assert "Revenir aux commentaires les plus récents" in older


def test_htmx_loads_only_the_next_part(client, contribution):
    add_threads(contribution, COMMENT_THREADS + 1)
    part = page_of(client, contribution, "?page=2", HTTP_HX_REQUEST="true")
    assert "Fil 0<" in part
    assert "<html" not in part
    assert 'id="partie-commentaires-2"' in part


def test_others_see_visible_comments_and_authors_their_own_pending_ones(
    client, contribution, agent_a, correspondent_a
):
    add_threads(contribution, 1)
    hidden = ContributionComment.objects.create(
        contribution=contribution, author=agent_a, text="Masqué par la modération", status="hidden"
    )
    pending = ContributionComment.objects.create(
        contribution=contribution, author=agent_a, text="Mon commentaire en attente"
    )
    ContributionComment.objects.filter(pk=pending.pk).update(status=Status.PENDING)
    assert "Fil 0<" in page_of(client, contribution)
    assert hidden.text not in page_of(client, contribution)
    assert pending.text not in page_of(client, contribution)
    client.force_login(agent_a)
    assert pending.text in page_of(client, contribution)
    assert hidden.text not in page_of(client, contribution)
    client.force_login(correspondent_a)  # manages the call: sees everything
    assert hidden.text in page_of(client, contribution)


def test_a_reply_in_an_older_thread_leads_to_its_part(client, contribution, agent_a):
    (oldest,) = add_threads(contribution, 1)
    add_threads(contribution, COMMENT_THREADS, start=1)
    client.force_login(agent_a)
    response = client.post(
        reverse("ecoute:contribution-comment", kwargs={"pk": contribution.pk}),
        {"commentaire-text": "Je réponds au premier fil.", "commentaire-parent": oldest.pk},
    )
    reply = ContributionComment.objects.get(text="Je réponds au premier fil.")
    assert response.status_code == 302
    assert response["Location"] == (
        f"{contribution.get_absolute_url()}?page=2#commentaire-{reply.pk}"
    )


def test_the_page_costs_the_same_queries_whatever_the_comments(client, contribution, agent_a):
    client.force_login(agent_a)
    added = [0]

    def add(n: int) -> None:
        add_threads(contribution, n, start=added[0])
        added[0] += n

    assert_flat_query_count(
        client, contribution.get_absolute_url(), add, sizes=(3, COMMENT_THREADS + 5)
    )
