"""Communities: who sees a community consultation, one active membership per person, joining
with consent, leaving at once, signed single-use invitations, and inviting a community to a
consultation once per member."""

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.urls import reverse

from caflab.notifications.models import Notification
from ecoute.models import (
    CommunityConsultationInvite,
    CommunityInvitation,
    Consultation,
    Membership,
)
from ecoute.services import AlreadyDone
from ecoute.services.communities import (
    InvalidInvitation,
    WrongInvitee,
    community_invite,
    community_members_invite,
    consultation_invite_community,
    invitation_accept,
    invitation_from_token,
    invitation_token,
    membership_join,
    membership_leave,
)
from tests.ecoute.factories import (
    CommunityFactory,
    ConsultationFactory,
    MembershipFactory,
    QuestionFactory,
    first_section,
)
from tests.queries import assert_flat_query_count

pytestmark = pytest.mark.django_db


@pytest.fixture
def community(caf_a):
    return CommunityFactory(name="Lab Parentalité", caf=caf_a)


@pytest.fixture
def community_consultation(lab_staff, community):
    consultation = ConsultationFactory(
        title="Le site monenfant.fr",
        slug="monenfant",
        owner=lab_staff,
        access=Consultation.Access.COMMUNITY,
    )
    consultation.communities.set([community])
    QuestionFactory(section=first_section(consultation), label="Votre avis ?", is_required=True)
    return consultation


# --- visibility ----------------------------------------------------------------------------------


def test_a_member_reads_and_answers_a_community_consultation(
    client, citizen, community, community_consultation
):
    MembershipFactory(community=community, user=citizen)
    client.force_login(citizen)
    assert client.get(community_consultation.get_absolute_url()).status_code == 200
    assert citizen.has_perm("ecoute.answer_consultation", community_consultation)
    answer_url = reverse("ecoute:answer", kwargs={"slug": community_consultation.slug})
    assert client.get(answer_url).status_code == 200


def test_a_non_member_gets_404_on_a_community_consultation(
    client, citizen, agent_a, community_consultation
):
    for user in (citizen, agent_a):
        client.force_login(user)
        assert client.get(community_consultation.get_absolute_url()).status_code == 404
    client.logout()
    assert client.get(community_consultation.get_absolute_url()).status_code == 404


def test_after_leaving_the_consultation_is_404_again(
    client, citizen, community, community_consultation
):
    membership = MembershipFactory(community=community, user=citizen)
    membership_leave(membership=membership)
    client.force_login(citizen)
    assert client.get(community_consultation.get_absolute_url()).status_code == 404
    assert (
        not Consultation.objects.visible_to(citizen).filter(pk=community_consultation.pk).exists()
    )


def test_a_member_of_another_community_does_not_see_it(client, citizen, community_consultation):
    MembershipFactory(community=CommunityFactory(name="Autre panel"), user=citizen)
    client.force_login(citizen)
    assert client.get(community_consultation.get_absolute_url()).status_code == 404


def test_managers_see_the_consultation_but_do_not_answer_it(lab_staff, community_consultation):
    assert Consultation.objects.visible_to(lab_staff).filter(pk=community_consultation.pk).exists()
    assert not lab_staff.has_perm("ecoute.answer_consultation", community_consultation)


def test_the_index_lists_the_community_consultation_to_members_once(
    client, citizen, community, community_consultation
):
    MembershipFactory(community=community, user=citizen)
    # a second community of the same consultation must not duplicate it
    other = CommunityFactory(name="Deuxième panel")
    community_consultation.communities.add(other)
    MembershipFactory(community=other, user=citizen)
    client.force_login(citizen)
    response = client.get(reverse("ecoute:index"))
    assert [c.pk for c in response.context["open_consultations"]].count(
        community_consultation.pk
    ) == 1


# --- memberships ---------------------------------------------------------------------------------


def test_one_active_membership_per_person_and_community_is_a_database_rule(citizen, community):
    MembershipFactory(community=community, user=citizen)
    with pytest.raises(IntegrityError), transaction.atomic():
        MembershipFactory(community=community, user=citizen)


def test_a_former_member_may_join_again(citizen, community):
    community.is_open = True
    community.save()
    first = membership_join(community=community, user=citizen, consent=True)
    membership_leave(membership=first)
    second = membership_join(community=community, user=citizen, consent=True)
    assert second.pk != first.pk
    assert Membership.objects.filter(user=citizen).count() == 2
    assert Membership.objects.active().get(user=citizen) == second


def test_joining_an_open_community_needs_consent_and_records_it(client, citizen, community):
    community.is_open = True
    community.consent_version = 3
    community.save()
    client.force_login(citizen)
    url = reverse("ecoute:community-join", kwargs={"pk": community.pk})
    client.post(url, {})
    assert not Membership.objects.exists()
    response = client.post(url, {"consent": "on"})
    assert response["Location"] == reverse("ecoute:my-communities")
    membership = Membership.objects.get()
    assert (membership.user, membership.consent_version) == (citizen, 3)
    assert membership.consent_given_at is not None
    assert membership.via == Membership.Via.SELF
    # a double click: "already done", no second row
    client.post(url, {"consent": "on"})
    assert Membership.objects.count() == 1


def test_a_community_on_invitation_cannot_be_joined_freely(citizen, community):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        membership_join(community=community, user=citizen, consent=True)


def test_leaving_is_confirmed_then_immediate(client, citizen, community):
    MembershipFactory(community=community, user=citizen)
    client.force_login(citizen)
    url = reverse("ecoute:community-leave", kwargs={"pk": community.pk})
    assert "Oui, quitter" in client.get(url).content.decode()
    assert Membership.objects.active().count() == 1
    response = client.post(url)
    assert response["Location"] == reverse("ecoute:my-communities")
    assert Membership.objects.active().count() == 0
    assert Membership.objects.get().left_at is not None
    assert client.post(url).status_code == 404  # nothing left to leave


def test_leaving_twice_is_already_done(citizen, community):
    membership = MembershipFactory(community=community, user=citizen)
    membership_leave(membership=membership)
    with pytest.raises(AlreadyDone):
        membership_leave(membership=membership)


# --- invitations ---------------------------------------------------------------------------------


def test_an_invitation_mails_a_signed_link_that_joins_once(
    client, citizen, lab_staff, community, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = community_invite(
            community=community, email="CitoyennE@example.org", by=lab_staff
        )
    assert invitation.email == citizen.email
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [citizen.email]
    link = next(line for line in mailoutbox[0].body.splitlines() if "/invitation/" in line)
    path = urlsplit(link.strip()).path

    client.force_login(citizen)
    page = client.get(path)
    assert page.status_code == 200
    assert "la Caf conserve mon adresse e-mail" in page.content.decode()
    client.post(path, {})  # no consent: nothing happens
    assert not Membership.objects.exists()
    response = client.post(path, {"consent": "on"})
    assert response["Location"] == reverse("ecoute:my-communities")
    membership = Membership.objects.get()
    assert (membership.user, membership.via) == (citizen, Membership.Via.INVITATION)
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None
    assert invitation.membership == membership
    # single use
    assert client.get(path).status_code == 404
    # the task running again mails nothing more
    from ecoute.services.communities import invitation_send

    assert invitation_send(invitation_id=invitation.pk) is False
    assert len(mailoutbox) == 1


def test_a_tampered_or_expired_invitation_link_is_refused(client, citizen, lab_staff, community):
    invitation = CommunityInvitation.objects.create(community=community, email=citizen.email)
    token = invitation_token(invitation)
    with pytest.raises(InvalidInvitation):
        invitation_from_token(token[:-2] + ("AA" if not token.endswith("AA") else "BB"))
    with pytest.raises(InvalidInvitation):
        invitation_from_token("x" + token)
    with time_machine.travel(-timedelta(days=15)):
        old_token = invitation_token(invitation)
    with pytest.raises(InvalidInvitation, match="expiré"):
        invitation_from_token(old_token)
    client.force_login(citizen)
    url = reverse("ecoute:community-invitation", kwargs={"token": old_token})
    assert client.get(url).status_code == 404


def test_an_invitation_is_accepted_only_by_the_invited_address(agent_a, citizen, community):
    invitation = CommunityInvitation.objects.create(community=community, email=citizen.email)
    with pytest.raises(WrongInvitee):
        invitation_accept(invitation=invitation, user=agent_a, consent=True)
    assert not Membership.objects.exists()


def test_inviting_twice_or_a_member_is_already_done(citizen, lab_staff, community):
    community_invite(community=community, email="parent@example.org", by=lab_staff)
    with pytest.raises(AlreadyDone):
        community_invite(community=community, email="parent@example.org", by=lab_staff)
    MembershipFactory(community=community, user=citizen)
    with pytest.raises(AlreadyDone):
        community_invite(community=community, email=citizen.email, by=lab_staff)


def test_anonymous_visitors_of_an_invitation_are_asked_to_sign_in_or_up(client, community):
    invitation = CommunityInvitation.objects.create(community=community, email="x@example.org")
    url = reverse("ecoute:community-invitation", kwargs={"token": invitation_token(invitation)})
    html = client.get(url).content.decode()
    assert reverse("accounts:signup") in html
    assert reverse("accounts:login") in html


def test_only_managers_invite(client, agent_a, correspondent_a, community, caf_b):
    url = reverse("ecoute:community-invite", kwargs={"pk": community.pk})
    client.force_login(correspondent_a)
    client.post(url, {"email": "parent@example.org"})
    assert CommunityInvitation.objects.count() == 1
    other = CommunityFactory(name="Panel du Rhône", caf=caf_b)
    other_url = reverse("ecoute:community-invite", kwargs={"pk": other.pk})
    assert client.post(other_url, {"email": "x@example.org"}).status_code == 404


# --- inviting a community to a consultation ----------------------------------------------------


def test_inviting_the_community_notifies_each_active_member_once(
    client,
    lab_staff,
    citizen,
    community,
    community_consultation,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    MembershipFactory(community=community, user=citizen)
    gone = MembershipFactory(community=community)
    membership_leave(membership=gone)
    client.force_login(lab_staff)
    url = reverse("ecoute:consultation-invite-community", kwargs={"pk": community_consultation.pk})
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url)
        client.post(url)  # a second click
    assert list(CommunityConsultationInvite.objects.values_list("user", flat=True)) == [citizen.pk]
    notifications = Notification.objects.filter(kind="ecoute.community_invite")
    assert [n.recipient for n in notifications] == [citizen]
    assert notifications.get().url == community_consultation.get_absolute_url()
    # a later member is invited by the next run, the others not again
    newcomer = MembershipFactory(community=community)
    assert community_members_invite(consultation_id=community_consultation.pk) == 1
    assert community_members_invite(consultation_id=community_consultation.pk) == 0
    assert Notification.objects.filter(kind="ecoute.community_invite").count() == 2
    assert CommunityConsultationInvite.objects.filter(user=newcomer.user).exists()


def test_only_a_published_community_consultation_invites_its_community(
    lab_staff, community_consultation
):
    from django.core.exceptions import ValidationError

    public = ConsultationFactory(owner=lab_staff)
    with pytest.raises(ValidationError):
        consultation_invite_community(consultation=public, by=lab_staff)
    community_consultation.status = Consultation.Status.DRAFT
    community_consultation.save()
    with pytest.raises(ValidationError):
        consultation_invite_community(consultation=community_consultation, by=lab_staff)


# --- the consultation form ----------------------------------------------------------------------


def test_community_access_requires_a_community(client, lab_staff, community):
    from tests.ecoute.test_consultations import form_data

    client.force_login(lab_staff)
    response = client.post(reverse("ecoute:create"), form_data(access="community"))
    assert response.status_code == 200
    assert "communities" in response.context["form"].errors
    response = client.post(
        reverse("ecoute:create"), form_data(access="community", communities=[community.pk])
    )
    consultation = Consultation.objects.get()
    assert list(consultation.communities.all()) == [community]


def test_a_correspondent_picks_only_their_cafs_communities(
    client, correspondent_a, community, caf_b
):
    CommunityFactory(name="Panel du Rhône", caf=caf_b)
    client.force_login(correspondent_a)
    form = client.get(reverse("ecoute:create")).context["form"]
    assert list(form.fields["communities"].queryset) == [community]


def test_a_public_consultation_keeps_no_community(client, lab_staff, community):
    from tests.ecoute.test_consultations import form_data

    client.force_login(lab_staff)
    client.post(reverse("ecoute:create"), form_data(communities=[community.pk]))
    assert not Consultation.objects.get().communities.exists()


# --- pages and their query counts -------------------------------------------------------------


def test_the_community_list_costs_a_fixed_number_of_queries(client, lab_staff, caf_a):
    client.force_login(lab_staff)

    def add(n: int) -> None:
        for _ in range(n):
            MembershipFactory(community=CommunityFactory(caf=caf_a))

    assert_flat_query_count(client, reverse("ecoute:community-list"), add, expected=5)


def test_the_community_page_lists_members_in_fixed_queries(client, lab_staff, community):
    client.force_login(lab_staff)

    def add(n: int) -> None:
        for _ in range(n):
            MembershipFactory(community=community)
            CommunityInvitation.objects.create(
                community=community, email=f"p{CommunityInvitation.objects.count()}@example.org"
            )

    url = reverse("ecoute:community-detail", kwargs={"pk": community.pk})
    assert_flat_query_count(client, url, add, expected=8)
    html = client.get(url).content.decode()
    assert "30 membres" in html


def test_my_communities_costs_a_fixed_number_of_queries(client, citizen):
    client.force_login(citizen)

    def add(n: int) -> None:
        for _ in range(n):
            MembershipFactory(user=citizen)
            CommunityFactory(is_open=True)

    assert_flat_query_count(client, reverse("ecoute:my-communities"), add, expected=5)


def test_a_member_does_not_see_the_members_list(client, citizen, community):
    MembershipFactory(community=community, user=citizen)
    client.force_login(citizen)
    response = client.get(reverse("ecoute:community-detail", kwargs={"pk": community.pk}))
    assert response.status_code == 200
    assert "members" not in response.context
    assert "Quitter la communauté" in response.content.decode()


def test_a_member_of_another_caf_sees_no_closed_community_of_caf_a(client, agent_b, community):
    client.force_login(agent_b)
    url = reverse("ecoute:community-detail", kwargs={"pk": community.pk})
    assert client.get(url).status_code == 404


def test_a_correspondent_creates_a_community_of_their_caf(client, correspondent_a, caf_a):
    from ecoute.models import Community

    client.force_login(correspondent_a)
    form = client.get(reverse("ecoute:community-create")).context["form"]
    assert "caf" not in form.fields
    response = client.post(
        reverse("ecoute:community-create"),
        {
            "name": "Parents de Voiron",
            "description": "Des parents du pays voironnais.",
            "consent_text": "J'accepte d'être invité(e).",
        },
    )
    community = Community.objects.get()
    assert response["Location"] == community.get_absolute_url()
    assert (community.caf, community.is_open, community.consent_version) == (caf_a, False, 1)


def test_the_manage_page_of_a_community_consultation_offers_the_invitation(
    client, lab_staff, community_consultation
):
    client.force_login(lab_staff)
    html = client.get(community_consultation.get_manage_url()).content.decode()
    assert "Inviter les membres de la communauté" in html
