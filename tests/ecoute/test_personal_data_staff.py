""" "My data" for écoute's staff: the consultations a person owns, the workshops they created,
the contributions and comments they moderated, the official answers they gave, the restitutions
they published and mailed, the community invitations they sent and the exports they asked for
are in their download; erasing the account keeps that work (without the name, or signed by the
anonymous tombstone when a consultation or a workshop PROTECTs the account) and removes the
exports with their files. The retention of accounts goes through the same registry."""

import datetime
import json

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from caflab.accounts import personal_data
from caflab.accounts.models import ERASED_EMAIL_DOMAIN, Role, User
from ecoute.models import (
    CommunityInvitation,
    Consultation,
    Contribution,
    ContributionComment,
    ExportJob,
    OfficialAnswer,
    Recruitment,
    Restitution,
    RestitutionMailing,
)
from ecoute.services.communities import community_invite
from ecoute.services.contributions import (
    comment_moderate,
    contributions_moderate,
    official_answer_give,
)
from ecoute.services.exports import export_request
from ecoute.services.restitution import restitution_publish, restitution_save
from tests.accounts.factories import UserFactory
from tests.ecoute.factories import (
    CommunityFactory,
    ConsultationFactory,
    ContributionFactory,
    RecruitmentFactory,
)
from tests.network.factories import PartnerFactory
from tests.queries import assert_flat_query_count

pytestmark = pytest.mark.django_db

DOWNLOAD = reverse("accounts:my-data-download", kwargs={"fmt": "json"})
INVITEE = "parent.invite@example.org"


@pytest.fixture
def answerer(db):
    return UserFactory(email="reponses@cnaf.example", lab=True)


@pytest.fixture
def work(lab_staff, moderator, answerer):
    """The lab staff member owns a consultation (and its workshop, restitution, mailing, an
    export and a community invitation); the moderator hid a contribution and a comment; the
    answerer gave an official answer."""
    consultation = ConsultationFactory(title="Votre accueil à la Caf", owner=lab_staff)
    recruitment = RecruitmentFactory(
        consultation=consultation, title="Atelier accueil", created_by=lab_staff
    )
    hidden = ContributionFactory(consultation=consultation, title="Ouvrir le samedi")
    contributions_moderate(contributions=[hidden], by=moderator, action="hide")
    answered = ContributionFactory(consultation=consultation, title="Un chat en ligne")
    official_answer_give(
        contribution=answered, by=answerer, status="under_study", text="Nous l'étudions."
    )
    comment = ContributionComment.objects.create(
        contribution=answered, author=UserFactory(citizen=True), text="Oui, le soir surtout."
    )
    comment_moderate(comment=comment, by=moderator, action="hide")
    restitution_save(
        consultation=consultation,
        by=lab_staff,
        synthesis="Vous avez parlé d'horaires.",
        decisions=[],
    )
    restitution_publish(consultation=consultation, by=lab_staff)
    community_invite(
        community=CommunityFactory(name="Lab Parentalité"), email=INVITEE, by=lab_staff
    )
    export = export_request(questionnaire=consultation.questionnaire, by=lab_staff, fmt="csv")
    export.file.save("reponses.csv", ContentFile(b"question;reponse\n"), save=True)
    return {
        "consultation": consultation,
        "recruitment": recruitment,
        "hidden": hidden,
        "answered": answered,
        "comment": comment,
        "export": export,
    }


def _activity(client, user) -> list[dict]:
    client.force_login(user)
    response = client.get(DOWNLOAD)
    assert response.status_code == 200
    return json.loads(response.content)["sections"]["ecoute.activity"]["items"]


def _pairs(items: list[dict]) -> set[tuple[str, str, str]]:
    return {(item["Rôle"], item["Élément"], item["Intitulé"]) for item in items}


def test_the_owners_download_lists_their_consultation_workshop_restitution_and_exports(
    client, work, lab_staff
):
    items = _activity(client, lab_staff)
    assert _pairs(items) == {
        ("Vous en êtes responsable", "Consultation", "Votre accueil à la Caf"),
        ("Créé par vous", "Recrutement de participants", "Atelier accueil"),
        ("Publiée par vous", "Restitution", "Votre accueil à la Caf"),
        (
            "Envoi demandé par vous",
            "Envoi des e-mails de restitution",
            "Votre accueil à la Caf",
        ),
        ("Envoyée par vous", "Invitation à une communauté", "Lab Parentalité"),
        ("Demandé par vous", "Export de réponses", "Votre accueil à la Caf"),
    }
    assert all(item["Le"] for item in items)  # dated
    text = json.dumps(items, ensure_ascii=False)
    assert INVITEE not in text  # the invitee's address is theirs, not the sender's
    assert "http" not in text  # no link


def test_the_moderators_and_the_answerers_downloads_list_their_work(
    client, work, moderator, answerer
):
    assert _pairs(_activity(client, moderator)) == {
        ("Modérée par vous", "Contribution", "Ouvrir le samedi"),
        ("Modéré par vous", "Commentaire de contribution", "Un chat en ligne"),
    }
    assert _pairs(_activity(client, answerer)) == {
        ("Répondue par vous", "Réponse officielle", "Un chat en ligne"),
    }


def test_the_csv_download_holds_the_work_too(client, work, moderator):
    client.force_login(moderator)
    response = client.get(reverse("accounts:my-data-download", kwargs={"fmt": "csv"}))
    text = response.content.decode("utf-8-sig")
    assert "Votre nom sur les consultations, la modération et les restitutions" in text
    assert "Modérée par vous" in text
    assert "Ouvrir le samedi" in text


def test_erasing_the_owner_keeps_the_consultation_signed_by_the_tombstone(
    work, lab_staff, django_capture_on_commit_callbacks
):
    export = work["export"]
    storage, name = export.file.storage, export.file.name
    assert storage.exists(name)

    with django_capture_on_commit_callbacks(execute=True):
        # a consultation and a workshop PROTECT their owner: kept as a tombstone, not refused
        assert personal_data.account_erase(user=lab_staff) is False

    tombstone = User.objects.get(pk=lab_staff.pk)
    assert tombstone.email.endswith(ERASED_EMAIL_DOMAIN)
    assert (tombstone.first_name, tombstone.last_name, tombstone.is_active) == ("", "", False)
    consultation = Consultation.objects.get(pk=work["consultation"].pk)
    assert (consultation.title, consultation.owner_id) == ("Votre accueil à la Caf", tombstone.pk)
    assert Recruitment.objects.get(pk=work["recruitment"].pk).created_by_id == tombstone.pk
    restitution = Restitution.objects.get(consultation=consultation)
    assert restitution.is_published
    assert restitution.synthesis == "Vous avez parlé d'horaires."
    assert restitution.published_by_id is None
    assert RestitutionMailing.objects.get(restitution=restitution).requested_by_id is None
    invitation = CommunityInvitation.objects.get(email=INVITEE)
    assert invitation.invited_by_id is None
    # the export was the person's own download: gone, file included
    assert not ExportJob.objects.filter(pk=export.pk).exists()
    assert not storage.exists(name)
    # nothing of it is listed any more: the tombstone signs only the PROTECT rows
    rows = {e.key: e.rows for e in personal_data.export_user(tombstone)}["ecoute.activity"]
    assert {row["Élément"] for row in rows} == {"Consultation", "Recrutement de participants"}


def test_erasing_the_moderator_and_the_answerer_deletes_them_and_keeps_their_work(
    work, moderator, answerer
):
    assert personal_data.account_erase(user=moderator) is True
    assert personal_data.account_erase(user=answerer) is True
    assert not User.objects.filter(pk__in=[moderator.pk, answerer.pk]).exists()

    hidden = Contribution.objects.get(pk=work["hidden"].pk)
    assert (hidden.status, hidden.moderated_by_id) == (Contribution.Status.HIDDEN, None)
    assert hidden.moderated_at is not None
    comment = ContributionComment.objects.get(pk=work["comment"].pk)
    assert (comment.status, comment.moderated_by_id) == ("hidden", None)
    answer = OfficialAnswer.objects.get(contribution=work["answered"])
    assert (answer.text, answer.answered_by_id) == ("Nous l'étudions.", None)
    assert Contribution.objects.get(pk=work["answered"].pk).answer_status == "under_study"


def test_the_admins_deletion_of_a_staff_account_goes_through_the_registry(client, work, lab_staff):
    admin = UserFactory(email="admin@cnaf.example", admin=True)
    client.force_login(admin)
    url = reverse("admin:accounts_user_delete", args=[lab_staff.pk])
    assert client.post(url, {"post": "yes"}).status_code == 302
    consultation = Consultation.objects.get(pk=work["consultation"].pk)
    assert consultation.owner.email.endswith(ERASED_EMAIL_DOMAIN)
    assert Restitution.objects.get(consultation=consultation).published_by_id is None


def test_the_retention_of_accounts_keeps_a_dormant_partners_work(
    settings, django_capture_on_commit_callbacks
):
    """A partner's account unused for two years is deleted by the daily purge, through the same
    sections: the consultation they own stays (signed by the tombstone), their moderation stays
    without their name."""
    from caflab.accounts.personal_data import inactive_accounts_purge

    settings.ACCOUNT_INACTIVE_DAYS = 730
    long_ago = timezone.now() - datetime.timedelta(days=800)
    partner = UserFactory(
        role=Role.PARTNER, caf=None, partner=PartnerFactory(), last_login=long_ago
    )
    consultation = ConsultationFactory(title="Le parcours des jeunes parents", owner=partner)
    contribution = ContributionFactory(consultation=consultation, title="Un accueil le soir")
    contributions_moderate(contributions=[contribution], by=partner, action="hide")

    with django_capture_on_commit_callbacks(execute=True):
        assert inactive_accounts_purge() == {"inactive": 1, "unconfirmed": 0}

    consultation.refresh_from_db()
    assert consultation.owner.email.endswith(ERASED_EMAIL_DOMAIN)
    assert not consultation.owner.is_active
    contribution.refresh_from_db()
    assert (contribution.status, contribution.moderated_by_id) == ("hidden", None)
    with django_capture_on_commit_callbacks(execute=True):
        assert inactive_accounts_purge() == {"inactive": 0, "unconfirmed": 0}


def test_the_my_data_page_of_busy_staff_costs_a_fixed_number_of_queries(client, moderator):
    """The same count however much work the person did: one query for the whole section."""
    client.force_login(moderator)

    def add(n: int) -> None:
        for _ in range(n):
            consultation = ConsultationFactory(owner=moderator)
            RecruitmentFactory(consultation=consultation, created_by=moderator)
            contribution = ContributionFactory(consultation=consultation)
            contributions_moderate(contributions=[contribution], by=moderator, action="hide")
            OfficialAnswer.objects.create(
                contribution=contribution, status="received", text="Reçue.", answered_by=moderator
            )

    assert_flat_query_count(client, reverse("accounts:my-data"), add, sizes=(2, 6))
