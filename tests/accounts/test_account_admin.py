"""The accounts' admin at the network's scale: filters, bulk actions with a reason kept in the
history, the read-only history and federated identities, and who may import."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from caflab.accounts.models import AccountChange, Role, SsoIdentity, User
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:accounts_user_changelist"


@pytest.fixture
def root(client):
    user = UserFactory(email="root@cnaf.example", admin=True)
    client.force_login(user)
    return user


def listed(response) -> set[str]:
    return {user.email for user in response.context["cl"].result_list}


def test_the_user_list_filters_by_role_region_caf_and_pending(client, root, agent_a, agent_b):
    pending = UserFactory(email="attente@caf.example", role=Role.PENDING, caf=None)
    url = reverse(CHANGELIST)
    assert listed(client.get(url, {"role__exact": "pending"})) == {pending.email}
    assert listed(client.get(url, {"en_attente": "oui"})) == {pending.email}
    region = agent_a.caf.region_id
    response = client.get(url, {"caf__region__id__exact": region, "caf": agent_a.caf_id})
    assert listed(response) == {agent_a.email}
    assert "Caf de l" in response.content.decode()  # the region's Caf are offered, not all 101


def test_the_user_list_filters_by_last_login_and_invitation(client, root, agent_a, agent_b):
    User.objects.filter(pk=agent_a.pk).update(last_login=timezone.now() - timedelta(days=400))
    User.objects.filter(pk=agent_b.pk).update(invited_at=timezone.now())
    url = reverse(CHANGELIST)
    assert agent_a.email in listed(client.get(url, {"connexion": "ancienne"}))
    assert agent_b.email in listed(client.get(url, {"connexion": "jamais"}))
    assert agent_a.email not in listed(client.get(url, {"connexion": "jamais"}))
    assert listed(client.get(url, {"invitation": "sans-suite"})) == {agent_b.email}


def test_deactivating_asks_for_a_reason_then_keeps_it_in_the_history(
    client, root, agent_a, agent_b
):
    url = reverse(CHANGELIST)
    selection = {"action": "deactivate", "_selected_action": [agent_a.pk, agent_b.pk]}
    response = client.post(url, selection)
    assert response.status_code == 200
    assert "Motif" in response.content.decode()
    response = client.post(url, {**selection, "apply": "1", "reason": ""})
    assert response.status_code == 200  # the reason is required: the page again
    agent_a.refresh_from_db()
    assert agent_a.is_active
    response = client.post(url, {**selection, "apply": "1", "reason": "Départ à la retraite"})
    assert response.status_code == 302
    for agent in (agent_a, agent_b):
        agent.refresh_from_db()
        assert not agent.is_active
        change = AccountChange.objects.get(user=agent)
        assert change.kind == AccountChange.Kind.DEACTIVATED
        assert change.source == AccountChange.Source.ADMIN
        assert (change.reason, change.by) == ("Départ à la retraite", root)


def test_changing_caf_asks_for_the_caf_and_a_reason_and_places_pending_accounts(
    client, root, agent_a, caf_a, caf_b, citizen
):
    pending = UserFactory(email="attente@caf.example", role=Role.PENDING, caf=None)
    url = reverse(CHANGELIST)
    selection = {"action": "change_caf", "_selected_action": [agent_a.pk, pending.pk, citizen.pk]}
    assert "Nouvelle Caf" in client.post(url, selection).content.decode()
    response = client.post(
        url, {**selection, "apply": "1", "caf": caf_b.pk, "reason": "Mutation"}, follow=True
    )
    assert "2 compte(s) rattaché(s)" in response.content.decode()
    agent_a.refresh_from_db()
    pending.refresh_from_db()
    citizen.refresh_from_db()
    assert agent_a.caf == caf_b
    assert (pending.role, pending.caf) == (Role.AGENT, caf_b)
    assert citizen.caf is None
    change = AccountChange.objects.get(user=agent_a)
    assert change.changes == {"caf": [str(caf_a), str(caf_b)]}
    assert change.reason == "Mutation"
    assert AccountChange.objects.get(user=pending).kind == AccountChange.Kind.ASSIGNED


def test_editing_a_role_in_the_admin_is_kept_in_the_history(client, root, agent_a):
    url = reverse("admin:accounts_user_change", args=[agent_a.pk])
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k != "password"}
    data.update(
        role=Role.CORRESPONDENT,
        caf=agent_a.caf_id,
        groups=[],
        user_permissions=[],
        date_joined_0=agent_a.date_joined.strftime("%d/%m/%Y"),
        date_joined_1="10:00:00",
        **{
            "account_changes-TOTAL_FORMS": 0,
            "account_changes-INITIAL_FORMS": 0,
        },
    )
    data.pop("date_joined", None)
    data.pop("last_login", None)
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    change = AccountChange.objects.get(user=agent_a)
    assert change.changes["role"] == ["Agent de Caf", "Correspondant innovation"]
    assert change.by == root


def test_the_user_page_shows_the_account_history_read_only(client, root, agent_a):
    AccountChange.objects.create(
        user=agent_a,
        kind=AccountChange.Kind.UPDATED,
        source=AccountChange.Source.IMPORT,
        changes={"role": ["Agent de Caf", "Correspondant innovation"]},
        reason="Import du fichier « reseau.csv »",
    )
    page = client.get(reverse("admin:accounts_user_change", args=[agent_a.pk])).content.decode()
    assert "Import du fichier « reseau.csv »" in page


def test_the_history_and_federated_identities_are_read_only(client, root, agent_a):
    change = AccountChange.objects.create(
        user=agent_a, kind=AccountChange.Kind.CREATED, source=AccountChange.Source.IMPORT
    )
    identity = SsoIdentity.objects.create(user=agent_a, provider="agents", subject="sub-1")
    assert client.get(reverse("admin:accounts_accountchange_add")).status_code == 403
    assert client.get(reverse("admin:accounts_ssoidentity_add")).status_code == 403
    delete = reverse("admin:accounts_accountchange_delete", args=[change.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert AccountChange.objects.filter(pk=change.pk).exists()
    changelist = reverse("admin:accounts_accountchange_changelist")
    assert agent_a.email in client.get(changelist, {"q": agent_a.email}).content.decode()
    view = client.get(reverse("admin:accounts_ssoidentity_change", args=[identity.pk]))
    assert view.status_code == 200
    assert b'name="subject"' not in view.content


def test_a_caf_s_sirets_are_edited_on_the_caf_page(client, root, caf_a):
    page = client.get(reverse("admin:network_caf_change", args=[caf_a.pk])).content.decode()
    assert "sirets-TOTAL_FORMS" in page


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("lab_staff", 403), ("correspondent_a", 403), ("agent_a", 403), ("citizen", 403)],
)
def test_only_administrators_open_the_import_page(client, request, persona, expected):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("accounts:import")).status_code == expected


def test_the_import_page_is_open_to_superusers_and_staff_allowed_to_add_and_change_accounts(
    client, root
):
    assert client.get(reverse("accounts:import")).status_code == 200
    from django.contrib.auth.models import Permission

    staff = UserFactory(email="staff@cnaf.example", role=Role.LAB_STAFF, caf=None, is_staff=True)
    client.force_login(staff)
    assert client.get(reverse("accounts:import")).status_code == 403
    staff.user_permissions.add(*Permission.objects.filter(codename__in=["add_user", "change_user"]))
    staff = User.objects.get(pk=staff.pk)
    client.force_login(staff)
    assert client.get(reverse("accounts:import")).status_code == 200


def test_the_import_page_simulates_by_default_and_refuses_full_without_confirmation(
    client, root, agent_a, agent_b
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    def upload(name="reseau.csv", content=None):
        data = content or f"e-mail;rôle;Caf\n{agent_a.email};agent;38\nx@caf.example;agent;999\n"
        return SimpleUploadedFile(name, data.encode() if isinstance(data, str) else data)

    url = reverse("accounts:import")
    page = client.post(url, {"file": upload(), "dry_run": "on"}).content.decode()
    assert "Simulation" in page
    assert "Caf «\u00a0999\u00a0» inconnue" in page
    page = client.post(url, {"file": upload(), "full": "on"}).content.decode()
    assert "Cochez cette case pour confirmer" in page
    agent_b.refresh_from_db()
    assert agent_b.is_active
    client.post(url, {"file": upload(), "full": "on", "confirm_full": "on"})
    agent_b.refresh_from_db()
    assert not agent_b.is_active
    page = client.post(url, {"file": upload("reseau.pdf")}).content.decode()
    assert "Formats acceptés\u00a0: csv, xlsx" in page


def test_the_user_list_leads_to_the_import_and_to_the_pending_accounts(client, root):
    page = client.get(reverse("admin:accounts_user_changelist")).content.decode()

    assert f'href="{reverse("accounts:import")}"' in page
    assert f'href="{reverse("accounts:pending-list")}"' in page
