"""The écoute lists at national scale: a contribution's supports and visible comments are
counters kept by PostgreSQL (never counted per view), the "most supported" order reads them,
and the cached consultation list and contribution cards are never stale nor shown to someone
who sees other consultations."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from caflab.core.queries import count_of
from ecoute.models import (
    Consultation,
    Contribution,
    ContributionComment,
    ContributionSupport,
)
from ecoute.models.consultations import visibility_key
from ecoute.services import contributions as services
from tests.accounts.factories import UserFactory
from tests.ecoute.factories import (
    CommunityFactory,
    ConsultationFactory,
    ContributionFactory,
    MembershipFactory,
)
from tests.projects.factories import ProjectFactory
from tests.queries import assert_flat_query_count

pytestmark = pytest.mark.django_db

INDEX = reverse("ecoute:index")


@pytest.fixture
def call(lab_staff):
    """An open public call for ideas, moderated after publication."""
    return ConsultationFactory(
        slug="appel",
        owner=lab_staff,
        collects_contributions=True,
        moderation_mode=Consultation.ModerationMode.AFTER,
    )


def list_url(consultation, **query):
    url = reverse("ecoute:contributions", kwargs={"slug": consultation.slug})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def counts(contribution):
    contribution.refresh_from_db(fields=["supports_count", "comments_count"])
    return contribution.supports_count, contribution.comments_count


# --- counters --------------------------------------------------------------------------------


def test_supports_and_visible_comments_are_counted_by_the_database(call, lab_staff):
    contribution = ContributionFactory(consultation=call)
    supporters = UserFactory.create_batch(3, citizen=True)
    for person in supporters:
        services.support_add(contribution=contribution, by=person)
    assert counts(contribution) == (3, 0)
    services.support_remove(contribution=contribution, by=supporters[0])
    assert counts(contribution) == (2, 0)

    comment = services.comment_add(contribution=contribution, by=supporters[1], text="Oui !")
    services.comment_add(contribution=contribution, by=supporters[2], text="Bien vu")
    assert counts(contribution) == (2, 2)
    services.comment_moderate(comment=comment, by=lab_staff, action="hide")
    assert counts(contribution) == (2, 1)  # a hidden comment no longer counts
    services.comment_moderate(comment=comment, by=lab_staff, action="restore")
    assert counts(contribution) == (2, 2)


def test_pending_and_reported_comments_do_not_count(call, lab_staff, settings):
    settings.ENGAGEMENT_REPORTS_TO_HIDE = 1
    contribution = ContributionFactory(consultation=call)
    comment = services.comment_add(
        contribution=contribution, by=UserFactory(citizen=True), text="À voir"
    )
    assert counts(contribution) == (0, 1)
    # hidden by reports through a queryset update: no signal, the trigger still sees it
    services.comment_report(comment=comment, by=UserFactory(citizen=True))
    assert counts(contribution) == (0, 0)
    ContributionComment.objects.create(
        contribution=contribution, text="En attente", status=ContributionComment.Status.PENDING
    )
    assert counts(contribution) == (0, 0)


def test_bulk_writes_keep_the_counters(call):
    first, second = ContributionFactory.create_batch(2, consultation=call)
    people = UserFactory.create_batch(5, citizen=True)
    ContributionSupport.objects.bulk_create(
        [ContributionSupport(contribution=first, user=p) for p in people]
        + [ContributionSupport(contribution=second, user=p) for p in people[:2]]
    )
    assert counts(first)[0] == 5
    assert counts(second)[0] == 2
    ContributionSupport.objects.filter(user__in=people[:3]).delete()
    assert counts(first)[0] == 2
    assert counts(second)[0] == 0


def test_the_counters_match_a_count(call):
    """What the lists read equals what counting finds."""
    people = UserFactory.create_batch(4, citizen=True)
    for n in range(4):
        contribution = ContributionFactory(consultation=call)
        for person in people[:n]:
            ContributionSupport.objects.create(contribution=contribution, user=person)
            ContributionComment.objects.create(contribution=contribution, text="+1")
    counted = Contribution.objects.filter(consultation=call).annotate(
        counted_supports=count_of(ContributionSupport, "contribution"),
        counted_comments=count_of(ContributionComment, "contribution", status="visible"),
    )
    rows = [(c.supports_count, c.comments_count) for c in counted.order_by("pk")]
    assert rows == [(c.counted_supports, c.counted_comments) for c in counted.order_by("pk")]
    assert [c.n_supports for c in Contribution.objects.with_counts().order_by("pk")] == [
        0,
        1,
        2,
        3,
    ]


def test_the_most_supported_order_reads_the_counter_not_the_supports(client, call, citizen):
    people = UserFactory.create_batch(3, citizen=True)
    little, most = ContributionFactory.create_batch(2, consultation=call)
    for person in people:
        ContributionSupport.objects.create(contribution=most, user=person)
    ContributionSupport.objects.create(contribution=little, user=people[0])
    client.force_login(citizen)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(list_url(call, order="supports"))
    assert [c.pk for c in response.context["contributions"]] == [most.pk, little.pk]
    assert [c.n_supports for c in response.context["contributions"]] == [3, 1]
    listing = [q["sql"] for q in queries if 'ORDER BY "ecoute_contribution"' in q["sql"]]
    assert listing, "the list query ran"
    assert all("ecoute_contributionsupport" not in sql for sql in listing)


# --- the contribution list's cached cards ----------------------------------------------------


def test_the_cached_cards_show_a_new_support_comment_and_answer_at_once(
    client, call, citizen, lab_staff
):
    contribution = ContributionFactory(consultation=call, title="Visio le soir")
    client.force_login(citizen)
    assert "0 soutien" in client.get(list_url(call)).content.decode()

    services.support_add(contribution=contribution, by=UserFactory(citizen=True))
    services.comment_add(contribution=contribution, by=UserFactory(citizen=True), text="Oui")
    page = client.get(list_url(call)).content.decode()
    assert "1 soutien" in page
    assert "1 commentaire" in page

    project = ProjectFactory(title="Rendez-vous en visio")
    services.official_answer_give(
        contribution=contribution, by=lab_staff, status="in_project", text="Oui", project=project
    )
    page = client.get(list_url(call)).content.decode()
    assert "Rendez-vous en visio" in page


def test_the_cached_cards_follow_the_filters_and_pages(client, call, citizen):
    ContributionFactory.create_batch(21, consultation=call)
    client.force_login(citizen)
    first = client.get(list_url(call)).content.decode()
    second = client.get(list_url(call, page=2)).content.decode()
    assert "Page 1 sur 2" in first
    assert "Page 2 sur 2" in second
    assert first != second


# --- the consultation list -------------------------------------------------------------------


def test_people_who_see_the_same_consultations_share_a_key(citizen, agent_a, lab_staff):
    other_citizen = UserFactory(citizen=True)
    assert visibility_key(citizen) == visibility_key(other_citizen)
    assert visibility_key(citizen) != visibility_key(agent_a)
    assert visibility_key(agent_a) != visibility_key(lab_staff)
    community = CommunityFactory()
    MembershipFactory(community=community, user=other_citizen)
    assert visibility_key(citizen) != visibility_key(other_citizen)


def test_a_community_consultation_never_leaks_through_the_cache(client, citizen, lab_staff):
    community = CommunityFactory()
    reserved = ConsultationFactory(
        title="Réservée au panel", owner=lab_staff, access=Consultation.Access.COMMUNITY
    )
    reserved.communities.set([community])
    member = UserFactory(citizen=True)
    MembershipFactory(community=community, user=member)

    client.force_login(member)
    assert "Réservée au panel" in client.get(INDEX).content.decode()
    client.force_login(citizen)
    response = client.get(INDEX)
    assert reserved not in response.context["open_consultations"]
    assert "Réservée au panel" not in response.content.decode()
    client.logout()
    assert "Réservée au panel" not in client.get(INDEX).content.decode()


def test_the_cached_list_shows_a_change_at_once(client, citizen, lab_staff):
    consultation = ConsultationFactory(title="Avant", owner=lab_staff)
    client.force_login(citizen)
    assert "Avant" in client.get(INDEX).content.decode()
    consultation.title = "Après"
    consultation.save()
    page = client.get(INDEX).content.decode()
    assert "Après" in page
    assert "Avant" not in page
    consultation.close()
    response = client.get(INDEX)
    assert consultation not in response.context["open_consultations"]
    assert consultation in response.context["finished"]


def test_the_list_shows_the_ten_last_finished_consultations(client, citizen, lab_staff):
    now = timezone.now()
    for days in range(12):
        ConsultationFactory(
            owner=lab_staff,
            status=Consultation.Status.CLOSED,
            opens_at=now - datetime.timedelta(days=60),
            closes_at=now - datetime.timedelta(days=days + 1),
        )
    ConsultationFactory(owner=lab_staff, status=Consultation.Status.ARCHIVED)
    client.force_login(citizen)
    finished = client.get(INDEX).context["finished"]
    assert len(finished) == 10
    assert finished == sorted(finished, key=lambda c: c.closes_at, reverse=True)
    assert all(c.status == Consultation.Status.CLOSED for c in finished)


# --- query counts ----------------------------------------------------------------------------


def test_the_list_pages_signed_in_cost_a_fixed_number_of_queries(client, citizen, call, theme):
    client.force_login(citizen)
    # session, user, memberships (visibility key), consultations, their perimeters, the
    # Django permissions (2), unread notifications
    assert_flat_query_count(
        client,
        INDEX,
        lambda n: [ConsultationFactory() for _ in range(n)],
        sizes=(2, 12),
        expected=8,
    )

    def add(n):
        for _ in range(n):
            contribution = ContributionFactory(
                consultation=call, theme=theme, project=ProjectFactory()
            )
            ContributionSupport.objects.create(contribution=contribution, user=citizen)
            ContributionComment.objects.create(contribution=contribution, text="+1")

    # session, user, consultation, count, page, my unpublished ones, themes, notifications
    assert_flat_query_count(
        client, list_url(call, order="supports"), add, sizes=(3, 12), expected=8
    )


@pytest.fixture
def theme(db):
    from caflab.network.models import Theme

    return Theme.objects.active().first()
