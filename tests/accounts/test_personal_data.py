""" "My data": what is held, downloaded as JSON and CSV (formula-safe); deleting an account
keeps its answers, detached, and erases the personal data."""

import csv
import io
import json

import pytest
from django.contrib.auth import SESSION_KEY
from django.urls import reverse

from caflab.accounts import personal_data
from caflab.accounts.models import User
from caflab.notifications.models import Follow, Notification
from caflab.notifications.services import notify
from ecoute.conditions import AnswerValue
from ecoute.models import CommunityInvitation, HearBackRequest, Membership, Response
from ecoute.services import consultation_answer
from tests.ecoute.factories import CommunityFactory, MembershipFactory, option

pytestmark = pytest.mark.django_db

MY_DATA = reverse("accounts:my-data")


@pytest.fixture
def formula_citizen(citizen):
    citizen.first_name = '=HYPERLINK("http://evil")'
    citizen.save()
    return citizen


@pytest.fixture
def rich_citizen(formula_citizen, consultation, lab_staff):
    """A citizen with a named answer (and a hear-back address), a membership, a notification
    and a pending invitation."""
    question = consultation.questionnaire.questions.order_by("position").first()
    consultation_answer(
        consultation=consultation,
        answers={question.pk: AnswerValue(choices=[option(question, "Oui").pk])},
        user=formula_citizen,
        hear_back_email=formula_citizen.email,
    )
    MembershipFactory(community=CommunityFactory(name="Lab Parentalité"), user=formula_citizen)
    CommunityInvitation.objects.create(
        community=CommunityFactory(name="Panel numérique"), email=formula_citizen.email
    )
    notify(recipients=[formula_citizen], kind="test", title="Merci pour votre réponse", url="/")
    return formula_citizen


@pytest.fixture
def consultation(lab_staff):
    from ecoute.models import Question
    from tests.ecoute.factories import ConsultationFactory, QuestionFactory, first_section

    consultation = ConsultationFactory(title="Votre accueil à la Caf", owner=lab_staff)
    QuestionFactory(
        section=first_section(consultation),
        kind=Question.Kind.SINGLE_CHOICE,
        label="Êtes-vous satisfait de l'accueil ?",
        is_required=True,
        options=["Oui", "Non"],
    )
    return consultation


def test_the_page_shows_every_section(client, rich_citizen):
    client.force_login(rich_citizen)
    html = client.get(MY_DATA).content.decode()
    for text in (
        rich_citizen.email,
        "Votre accueil à la Caf",
        "Êtes-vous satisfait de l&#x27;accueil ? : Oui",
        "Lab Parentalité",
        "Panel numérique",
        "Merci pour votre réponse",
    ):
        assert text in html, text


def test_the_json_download_holds_every_section(client, rich_citizen):
    client.force_login(rich_citizen)
    response = client.get(reverse("accounts:my-data-download", kwargs={"fmt": "json"}))
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)["sections"]
    assert data["accounts.account"]["items"][0]["Adresse e-mail"] == rich_citizen.email
    (answered,) = data["ecoute.responses"]["items"]
    assert answered["Consultation"] == "Votre accueil à la Caf"
    assert answered["Réponses"] == ["Êtes-vous satisfait de l'accueil ? : Oui"]
    assert data["ecoute.hear_back"]["items"][0]["Adresse e-mail"] == rich_citizen.email
    assert data["ecoute.memberships"]["items"][0]["Communauté"] == "Lab Parentalité"
    assert data["notifications.notifications"]["items"][0]["Titre"] == "Merci pour votre réponse"


def test_the_csv_download_is_formula_safe(client, rich_citizen):
    client.force_login(rich_citizen)
    response = client.get(reverse("accounts:my-data-download", kwargs={"fmt": "csv"}))
    assert response["Content-Disposition"].startswith("attachment;")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Rubrique", "N°", "Champ", "Valeur"]
    first_names = [row[3] for row in rows if row[2] == "Prénom"]
    assert first_names == ['\'=HYPERLINK("http://evil")']
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


def test_an_unknown_format_is_404(client, citizen):
    client.force_login(citizen)
    assert (
        client.get(reverse("accounts:my-data-download", kwargs={"fmt": "xml"})).status_code == 404
    )


def test_the_page_shows_only_ones_own_data(client, rich_citizen, agent_a):
    client.force_login(agent_a)
    html = client.get(MY_DATA).content.decode()
    assert rich_citizen.email not in html
    assert "Lab Parentalité" not in html


def test_the_page_costs_a_fixed_number_of_queries(client, citizen, consultation):
    from tests.queries import assert_flat_query_count

    client.force_login(citizen)

    def add(n: int) -> None:
        for _ in range(n):
            MembershipFactory(user=citizen)
            notify(recipients=[citizen], kind="test", title="Bonjour", url="/")

    # a few queries per registered section, never per row (écoute's staff work: one UNION;
    # the addresses left to hear back: one for those written, one for those waiting for their
    # anonymous batch; the portfolio's and the idea box's names on records: one UNION each;
    # events: registrations and names on events; the analysis of texts: one UNION; one each for
    # the sources one stopped following, the API tokens, the calendar link and the kit's
    # documents; the incubator's applications, jury scores and names on calls and cohorts)
    assert_flat_query_count(client, MY_DATA, add, expected=46)


# --- deleting one's account ------------------------------------------------------------------


def test_deleting_the_account_keeps_answers_detached_and_erases_the_rest(
    client, rich_citizen, password, mailoutbox, django_capture_on_commit_callbacks
):
    address, pk = rich_citizen.email, rich_citizen.pk
    client.force_login(rich_citizen)
    url = reverse("accounts:account-delete")
    wrong = client.post(url, {"password": "pas-le-bon-mot-de-passe"})
    assert wrong.status_code == 200
    assert "Mot de passe incorrect" in wrong.content.decode()
    assert User.objects.filter(pk=pk).exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"password": password})
    assert response["Location"] == reverse("core:home")
    assert SESSION_KEY not in client.session
    assert not User.objects.filter(pk=pk).exists()
    assert not User.objects.filter(email=address).exists()
    # the answer stays, linked to nothing personal
    response_row = Response.objects.get()
    assert response_row.respondent_id is None
    assert response_row.answers.count() == 1
    assert not HearBackRequest.objects.exists()
    assert not Membership.objects.exists()
    assert not CommunityInvitation.objects.exists()
    assert not Notification.objects.filter(recipient_id=pk).exists()
    # the confirmation went to the address read before erasing
    assert [m.to for m in mailoutbox if "supprimé" in m.subject] == [[address]]


def test_an_account_protected_by_its_authored_content_becomes_an_anonymous_tombstone(
    rich_citizen,
):
    from tests.ideas.factories import IdeaFactory

    idea = IdeaFactory(author=rich_citizen)
    from caflab.notifications.services import follow

    follow(user=rich_citizen, obj=idea)
    assert personal_data.account_delete(user=rich_citizen) is False
    tombstone = User.objects.get(pk=rich_citizen.pk)
    assert tombstone.email.endswith("@supprime.invalid")
    assert str(tombstone) == "Compte supprimé"
    assert (tombstone.first_name, tombstone.last_name) == ("", "")
    assert not tombstone.is_active
    assert not tombstone.has_usable_password()
    assert Response.objects.get().respondent_id is None
    assert not Follow.objects.exists()
    idea.refresh_from_db()
    assert idea.author_id == tombstone.pk


def test_network_staff_cannot_delete_their_own_account(client, agent_a, password):
    client.force_login(agent_a)
    response = client.post(reverse("accounts:account-delete"), {"password": password})
    assert response.status_code == 403
    assert User.objects.filter(pk=agent_a.pk, is_active=True).exists()
    with pytest.raises(personal_data.CannotDeleteAccount):
        personal_data.account_delete(user=agent_a)


def test_every_app_registers_its_sections():
    keys = {section.key for section in personal_data.sections()}
    assert {
        "accounts.account",
        "ecoute.responses",
        "ecoute.hear_back",
        "ecoute.memberships",
        "ecoute.invitations",
        "notifications.notifications",
        "notifications.mails",
        "notifications.follows",
        "ideas.ideas",
        "ideas.comments",
        "ideas.supports",
        "ecoute.contributions",
        "ecoute.contribution_activity",
        "ecoute.registrations",
    } <= keys


def test_ideas_comments_and_supports_are_exported(citizen):
    from tests.accounts.factories import UserFactory
    from tests.ideas.factories import IdeaFactory, IdeaSupportFactory

    idea = IdeaFactory(author=citizen, title="Des courriers plus clairs")
    idea.comments.create(author=citizen, text="=1+1 merci")
    IdeaSupportFactory(idea=IdeaFactory(title="Une autre idée"), user=citizen)
    other = IdeaFactory().comments.create(author=UserFactory(), text="Hors sujet total")
    other.reports.create(reporter=citizen, reason="Hors sujet")
    data = json.loads(personal_data.as_json(citizen))["sections"]
    assert data["ideas.ideas"]["items"][0]["Titre"] == "Des courriers plus clairs"
    assert data["ideas.comments"]["items"][0]["Commentaire"] == "=1+1 merci"
    assert data["ideas.supports"]["items"][0]["Idée soutenue"] == "Une autre idée"
    report = data["ideas.supports"]["items"][1]
    assert (report["Commentaire signalé"], report["Motif"]) == ("Hors sujet total", "Hors sujet")
    assert "'=1+1 merci" in personal_data.as_csv(citizen).decode("utf-8-sig")


def test_contributions_supports_and_registrations_are_exported_and_erased(
    citizen, consultation, django_capture_on_commit_callbacks
):
    """A deleted account's contribution stays as public content without its author; its live
    registration is cancelled and the seat goes to the first on the waiting list."""
    import datetime

    from django.utils import timezone

    from ecoute.models import ContributionReport, ContributionSupport, Recruitment, Registration
    from tests.accounts.factories import UserFactory
    from tests.ecoute.factories import ContributionFactory

    contribution = ContributionFactory(
        consultation=consultation, author=citizen, title="Ouvrir le samedi"
    )
    other = ContributionFactory(consultation=consultation, title="Un chat en ligne")
    ContributionSupport.objects.create(contribution=other, user=citizen)
    ContributionReport.objects.create(contribution=other, reporter=citizen, reason="Hors sujet")
    now = timezone.now()
    recruitment = Recruitment.objects.create(
        consultation=consultation,
        title="Atelier accueil",
        description="Tester le nouvel accueil.",
        starts_at=now + datetime.timedelta(days=10),
        ends_at=now + datetime.timedelta(days=10, hours=2),
        place="Grenoble",
        seats=1,
        registration_opens_at=now - datetime.timedelta(days=1),
        registration_closes_at=now + datetime.timedelta(days=9),
        created_by=consultation.owner,
    )
    Registration.objects.create(recruitment=recruitment, user=citizen, status="confirmed")
    waiting = Registration.objects.create(
        recruitment=recruitment, user=UserFactory(citizen=True), status="waiting"
    )

    exported = {e.key: e.rows for e in personal_data.export_user(citizen)}
    assert any(
        row.get("Contribution") == "Ouvrir le samedi" for row in exported["ecoute.contributions"]
    )
    activity = exported["ecoute.contribution_activity"]
    assert {"Contribution soutenue": "Un chat en ligne", "Le": activity[0]["Le"]} in activity
    assert any(row.get("Motif") == "Hors sujet" for row in activity)
    assert exported["ecoute.registrations"][0]["Atelier"] == "Atelier accueil"

    with django_capture_on_commit_callbacks(execute=True):
        personal_data.account_delete(user=citizen)
    assert not ContributionReport.objects.exists()
    assert list(Registration.objects.values_list("pk", flat=True)) == [waiting.pk]
    waiting.refresh_from_db()
    assert waiting.status == Registration.Status.CONFIRMED
    contribution.refresh_from_db()  # public content stays; the author goes with the account
    assert contribution.title == "Ouvrir le samedi"
    assert contribution.author_id is None


# --- retention of accounts ------------------------------------------------------------------


def test_accounts_unused_for_two_years_and_unconfirmed_sign_ups_are_purged(
    settings, lab_staff, agent_a, mailoutbox, django_capture_on_commit_callbacks, consultation
):
    """As the privacy page says: citizens' and partners' accounts unused for
    ACCOUNT_INACTIVE_DAYS go (answers kept, detached, the owner told); a sign-up never
    confirmed goes after SIGNUP_UNCONFIRMED_DAYS; network staff accounts are never touched."""
    import datetime

    from django.utils import timezone

    from caflab.accounts.models import Role
    from caflab.accounts.tasks import purge_inactive_accounts
    from tests.accounts.factories import UserFactory

    settings.ACCOUNT_INACTIVE_DAYS = 730
    settings.SIGNUP_UNCONFIRMED_DAYS = 7
    now = timezone.now()
    long_ago = now - datetime.timedelta(days=800)
    dormant = UserFactory(email="dormant@example.org", citizen=True, last_login=long_ago)
    question = consultation.questionnaire.questions.get()
    consultation_answer(
        consultation=consultation,
        answers={question.pk: AnswerValue(choices=[option(question, "Oui").pk])},
        user=dormant,
    )
    active = UserFactory(citizen=True, last_login=now - datetime.timedelta(days=10))
    never_logged = UserFactory(citizen=True, last_login=None, date_joined=long_ago)
    unconfirmed = UserFactory(
        citizen=True, is_active=False, email_verified_at=None, date_joined=long_ago
    )
    fresh_sign_up = UserFactory(
        citizen=True, is_active=False, email_verified_at=None, date_joined=now
    )
    User.objects.filter(pk__in=[lab_staff.pk, agent_a.pk]).update(last_login=long_ago)
    assert agent_a.role == Role.AGENT

    with django_capture_on_commit_callbacks(execute=True):
        assert purge_inactive_accounts.delay().get() == {"inactive": 2, "unconfirmed": 1}
    remaining = set(User.objects.values_list("pk", flat=True))
    assert {active.pk, fresh_sign_up.pk, lab_staff.pk, agent_a.pk} <= remaining
    assert not {dormant.pk, never_logged.pk, unconfirmed.pk} & remaining
    assert Response.objects.get().respondent_id is None  # the answer stays, detached
    told = sorted(m.to[0] for m in mailoutbox if "supprimé" in m.subject)
    assert told == sorted(["dormant@example.org", never_logged.email])
    with django_capture_on_commit_callbacks(execute=True):
        assert purge_inactive_accounts.delay().get() == {"inactive": 0, "unconfirmed": 0}


def test_my_data_holds_the_provider_identity_and_the_account_history_and_erasure_removes_them(
    citizen,
):
    from caflab.accounts.models import AccountChange, SsoIdentity
    from caflab.accounts.services import account_created

    SsoIdentity.objects.create(user=citizen, provider="citizens", subject="fc-42")
    account_created(user=citizen, by=None, source=AccountChange.Source.SSO)

    sections = {export.key: export.rows for export in personal_data.export_user(citizen)}

    assert sections["accounts.identities"][0]["Identifiant chez le fournisseur"] == "fc-42"
    assert sections["accounts.history"][0]["Changement"] == "Compte créé"
    personal_data.account_delete(user=citizen)
    assert not SsoIdentity.objects.filter(subject="fc-42").exists()
    assert not AccountChange.objects.filter(changes__email__1=citizen.email).exists()
