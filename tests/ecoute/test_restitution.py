"""The restitution ("vous avez dit, nous avons fait"): drafted and previewed by the
consultation's managers, published once (a closed consultation moves to "results published"),
one e-mail per hear-back address and never twice, in-app notifications for named respondents,
and the daily reminder to owners of closed consultations still without one."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from caflab.notifications.models import Notification
from ecoute.models import (
    Consultation,
    HearBackRequest,
    Response,
    Restitution,
    RestitutionEmail,
    RestitutionReminder,
)
from ecoute.services.common import AlreadyDone
from ecoute.services.restitution import (
    DecisionSpec,
    restitution_publish,
    restitution_reminders_send,
    restitution_save,
    restitution_send_emails,
)
from tests.projects.factories import ProjectFactory

pytestmark = pytest.mark.django_db
Status = Consultation.Status


@pytest.fixture
def closed(consultation):
    consultation.status = Status.CLOSED
    consultation.status_changed_at = timezone.now() - datetime.timedelta(days=2)
    consultation.opens_at = timezone.now() - datetime.timedelta(days=20)
    consultation.closes_at = consultation.status_changed_at
    consultation.save()
    return consultation


@pytest.fixture
def hear_back(closed):
    questionnaire = closed.questionnaire
    return [
        HearBackRequest.objects.create(questionnaire=questionnaire, email=email)
        for email in ("alice@example.org", "bob@example.org")
    ]


def _draft(consultation, by, project=None):
    return restitution_save(
        consultation=consultation,
        by=by,
        synthesis="Vous trouvez l'attente trop longue au guichet.",
        decisions=[
            DecisionSpec(
                said="L'attente est trop longue", done="Accueil sur rendez-vous", project=project
            )
        ],
    )


def test_a_draft_is_not_public_but_its_managers_preview_it(client, closed, lab_staff, citizen):
    _draft(closed, lab_staff)
    public = reverse("ecoute:restitution", kwargs={"slug": closed.slug})
    client.force_login(citizen)
    assert client.get(public).status_code == 404
    client.force_login(lab_staff)
    preview = client.get(reverse("ecoute:restitution-preview", kwargs={"pk": closed.pk}))
    assert preview.status_code == 200
    assert "Accueil sur rendez-vous" in preview.content.decode()
    assert "Publier la restitution" in preview.content.decode()


def test_publishing_moves_a_closed_consultation_and_mails_each_address_once(
    closed, lab_staff, hear_back, mailoutbox, django_capture_on_commit_callbacks
):
    _draft(closed, lab_staff)
    with django_capture_on_commit_callbacks(execute=True):
        restitution = restitution_publish(consultation=closed, by=lab_staff)
    closed.refresh_from_db()
    assert closed.status == Status.RESULTS_PUBLISHED
    assert restitution.is_published
    assert sorted(m.to[0] for m in mailoutbox) == ["alice@example.org", "bob@example.org"]
    assert all(len(m.to) == 1 for m in mailoutbox)  # one e-mail per address, no shared list
    assert "Accueil sur rendez-vous" in mailoutbox[0].body
    assert restitution.get_absolute_url() in mailoutbox[0].body
    assert RestitutionEmail.objects.filter(restitution=restitution).count() == 2
    restitution.refresh_from_db()
    assert restitution.emails_done_at is not None

    # the task again (a redelivered message): nobody is e-mailed twice
    Restitution.objects.filter(pk=restitution.pk).update(emails_done_at=None)
    assert restitution_send_emails(restitution_id=restitution.pk) == 0
    assert len(mailoutbox) == 2


def test_the_e_mail_renders_the_typed_markdown_in_html_and_plain_in_text(
    closed, lab_staff, hear_back, mailoutbox, django_capture_on_commit_callbacks
):
    """Issue 17: the synthesis and the decisions are typed in Markdown; the HTML part shows them
    as the restitution's page does (sanitised: no script, links with rel), the text part
    without their markup."""
    restitution_save(
        consultation=closed,
        by=lab_staff,
        synthesis=(
            "Vous trouvez **l’attente trop longue**.\n\n- au guichet\n- au téléphone\n\n"
            "Voir [le compte rendu](https://www.caf.fr/cr) <script>alert(1)</script>"
        ),
        decisions=[DecisionSpec(said="L’*attente*", done="Accueil **sur rendez-vous**")],
    )
    with django_capture_on_commit_callbacks(execute=True):
        restitution_publish(consultation=closed, by=lab_staff)
    message = mailoutbox[0]
    text = message.body
    assert "Vous trouvez l’attente trop longue." in text
    assert "Accueil sur rendez-vous" in text
    assert "**" not in text
    assert "[le compte rendu]" not in text
    html = message.alternatives[0][0]
    assert "<strong>l’attente trop longue</strong>" in html
    assert "<li>au guichet</li>" in html
    assert "<em>attente</em>" in html
    assert "Accueil <strong>sur rendez-vous</strong>" in html
    assert 'href="https://www.caf.fr/cr"' in html
    assert "nofollow" in html
    assert "<script" not in html
    assert "**" not in html


def test_publishing_twice_is_already_done(closed, lab_staff):
    _draft(closed, lab_staff)
    restitution_publish(consultation=closed, by=lab_staff)
    with pytest.raises(AlreadyDone):
        restitution_publish(consultation=closed, by=lab_staff)


def test_a_second_click_on_publish_says_already_published(client, closed, lab_staff):
    _draft(closed, lab_staff)
    client.force_login(lab_staff)
    url = reverse("ecoute:restitution-publish", kwargs={"pk": closed.pk})
    assert client.post(url).status_code == 302
    second = client.post(url, follow=True)
    assert "déjà publiée" in second.content.decode()


def test_publishing_without_a_draft_is_refused_with_a_message(client, closed, lab_staff):
    client.force_login(lab_staff)
    url = reverse("ecoute:restitution-publish", kwargs={"pk": closed.pk})
    page = client.post(url, follow=True)
    assert "Rédigez la restitution" in page.content.decode()
    assert not Restitution.objects.exists()


def test_an_address_whose_mail_fails_is_tried_again_later(
    closed, lab_staff, hear_back, mailoutbox, django_capture_on_commit_callbacks, mail_server
):
    _draft(closed, lab_staff)
    mail_server.fail(OSError("SMTP down"))
    with django_capture_on_commit_callbacks(execute=True):
        restitution = restitution_publish(consultation=closed, by=lab_staff)
    mail_server.recover()
    assert not RestitutionEmail.objects.exists()  # rolled back with the failed sending
    restitution.refresh_from_db()
    assert restitution.emails_done_at is None
    from ecoute.services.restitution import restitution_emails_resend

    assert restitution_emails_resend() == 2
    assert len(mailoutbox) == 2


def test_named_respondents_with_an_account_are_notified_in_the_app(
    closed, lab_staff, citizen, agent_a, django_capture_on_commit_callbacks
):
    Response.objects.create(
        questionnaire=closed.questionnaire, respondent=citizen, audience="citizen"
    )
    Response.objects.create(
        questionnaire=closed.questionnaire, respondent=agent_a, audience="agent"
    )
    # agent_a also left their address: the e-mail tells them, not a second notification
    HearBackRequest.objects.create(questionnaire=closed.questionnaire, email=agent_a.email)
    _draft(closed, lab_staff)
    with django_capture_on_commit_callbacks(execute=True):
        restitution_publish(consultation=closed, by=lab_staff)
    notified = Notification.objects.filter(kind="ecoute.restitution")
    assert list(notified.values_list("recipient", flat=True)) == [citizen.pk]


def test_the_public_page_links_only_the_projects_the_reader_may_see(client, closed, lab_staff):
    hidden = ProjectFactory(title="Projet confidentiel", is_draft=True)
    _draft(closed, lab_staff, project=hidden)
    restitution_publish(consultation=closed, by=lab_staff)
    page = client.get(reverse("ecoute:restitution", kwargs={"slug": closed.slug}))
    assert page.status_code == 200
    content = page.content.decode()
    assert "Accueil sur rendez-vous" in content
    assert "Projet confidentiel" not in content
    client.force_login(lab_staff)
    content = client.get(reverse("ecoute:restitution", kwargs={"slug": closed.slug})).content
    assert "Projet confidentiel" in content.decode()


def test_the_consultation_page_shows_the_published_restitution(client, closed, lab_staff):
    _draft(closed, lab_staff)
    detail = reverse("ecoute:detail", kwargs={"slug": closed.slug})
    assert "Lire la restitution" not in client.get(detail).content.decode()
    restitution_publish(consultation=closed, by=lab_staff)
    assert "Lire la restitution" in client.get(detail).content.decode()


def test_managers_write_the_draft_with_decisions_and_errors_keep_what_was_typed(
    client, closed, lab_staff
):
    project = ProjectFactory(title="Accueil repensé")
    client.force_login(lab_staff)
    url = reverse("ecoute:restitution-edit", kwargs={"pk": closed.pk})
    assert client.get(url).status_code == 200
    data = {
        "synthesis": "Trois messages forts.",
        "decisions-TOTAL_FORMS": "2",
        "decisions-INITIAL_FORMS": "0",
        "decisions-0-said": "Des horaires plus larges",
        "decisions-0-done": "",
        "decisions-0-project": str(project.pk),
        "decisions-1-said": "",
        "decisions-1-done": "",
    }
    page = client.post(url, data)
    assert page.status_code == 200
    content = page.content.decode()
    assert "Dites ce qui a été fait." in content
    assert "Des horaires plus larges" in content
    data["decisions-0-done"] = "Ouverture le samedi matin"
    assert client.post(url, data).status_code == 302
    restitution = Restitution.objects.get(consultation=closed)
    decision = restitution.decisions.get()
    assert (decision.said, decision.done, decision.project) == (
        "Des horaires plus larges",
        "Ouverture le samedi matin",
        project,
    )
    assert restitution.status == Restitution.Status.DRAFT


def test_others_may_not_write_the_restitution(client, closed, agent_b, correspondent_a):
    for user in (agent_b, correspondent_a):  # the consultation is the lab's, national
        client.force_login(user)
        assert (
            client.get(reverse("ecoute:restitution-edit", kwargs={"pk": closed.pk})).status_code
            == 403
        )


def test_the_restitution_shows_what_became_of_each_published_contribution(
    client, closed, citizen, lab_staff
):
    from tests.ecoute.factories import ContributionFactory

    now = timezone.now()
    Restitution.objects.create(
        consultation=closed,
        synthesis="Merci à toutes et à tous.",
        status=Restitution.Status.PUBLISHED,
        published_at=now,
        emails_done_at=now,
    )
    visible = ProjectFactory(title="Accueil du samedi")
    draft = ProjectFactory(title="Projet encore confidentiel", is_draft=True)
    ContributionFactory(
        consultation=closed, title="Ouvrir le samedi", answer_status="in_project", project=visible
    )
    ContributionFactory(
        consultation=closed, title="Un chat en ligne", answer_status="in_project", project=draft
    )
    ContributionFactory(consultation=closed, title="Idée en attente", status="pending")

    client.force_login(citizen)
    html = client.get(reverse("ecoute:restitution", kwargs={"slug": closed.slug})).content.decode()
    assert "Ce que sont devenues vos contributions" in html
    assert "Ouvrir le samedi" in html
    assert "Un chat en ligne" in html
    assert "Intégrée à un projet" in html
    assert "Idée en attente" not in html  # not published: not in the restitution
    assert "Projet encore confidentiel" not in html  # a draft project is not named to citizens
    public_sheet = reverse("projects:public-sheet", kwargs={"code": visible.code})
    assert visible.get_absolute_url() not in html  # a citizen does not see the project page…
    Project = type(visible)
    Project.objects.filter(pk=visible.pk).update(is_public=True)
    html = client.get(reverse("ecoute:restitution", kwargs={"slug": closed.slug})).content.decode()
    assert public_sheet in html  # …but follows its public sheet once published

    client.force_login(lab_staff)
    html = client.get(reverse("ecoute:restitution", kwargs={"slug": closed.slug})).content.decode()
    assert draft.get_absolute_url() in html


# --- the reminder -------------------------------------------------------------------------------


def test_owners_are_reminded_once_per_period_of_a_closed_consultation_without_restitution(
    closed, lab_staff, settings
):
    settings.ECOUTE_RESTITUTION_REMINDER_DAYS = 30
    closed_on = timezone.now() - datetime.timedelta(days=31)
    Consultation.objects.filter(pk=closed.pk).update(
        opens_at=closed_on - datetime.timedelta(days=10), closes_at=closed_on
    )
    assert restitution_reminders_send() == 1
    assert restitution_reminders_send() == 0  # the same day again
    assert Notification.objects.filter(kind="ecoute.restitution_reminder").count() == 1
    later = timezone.now() + datetime.timedelta(days=31)
    assert restitution_reminders_send(now=later) == 1  # a period later, still nothing
    assert RestitutionReminder.objects.filter(consultation=closed).count() == 2


def test_no_reminder_before_the_delay_nor_once_published(closed, lab_staff, settings):
    settings.ECOUTE_RESTITUTION_REMINDER_DAYS = 30
    assert restitution_reminders_send() == 0  # closed two days ago
    closed_on = timezone.now() - datetime.timedelta(days=40)
    Consultation.objects.filter(pk=closed.pk).update(
        opens_at=closed_on - datetime.timedelta(days=10), closes_at=closed_on
    )
    _draft(closed, lab_staff)
    restitution_publish(consultation=closed, by=lab_staff)
    assert restitution_reminders_send() == 0


def test_the_daily_task_is_in_the_beat_schedule():
    from caflab.celery import app

    tasks = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert "ecoute.tasks.daily_restitution_and_recruitment" in tasks


def test_mail_is_sent_through_django(closed, lab_staff, hear_back):
    _draft(closed, lab_staff)
    restitution = restitution_publish(consultation=closed, by=lab_staff)
    assert restitution_send_emails(restitution_id=restitution.pk) == 2
    assert len(mail.outbox) == 2


def test_the_demo_has_a_published_restitution_and_a_recruitment_with_a_waiting_list(settings):
    import io

    from django.core.management import call_command

    from ecoute.models import Recruitment, Registration

    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    restitution = Restitution.objects.get(consultation__slug="votre-accueil-a-la-caf")
    assert restitution.is_published
    assert restitution.decisions.filter(project__isnull=False).exists()
    # Its decisions are followed up (issue 13), through the real service: several statuses,
    # dated updates; and one closed consultation's restitution is overdue, the lab reminded.
    assert set(restitution.decisions.values_list("status", flat=True)) == {
        "planned",
        "in_progress",
        "done",
        "abandoned",
    }
    assert all(d.updates.exists() for d in restitution.decisions.all())
    overdue = Consultation.objects.restitution_overdue().get()
    assert overdue.slug == "rendez-vous-des-familles"
    assert RestitutionReminder.objects.filter(consultation=overdue, level="lab").exists()
    recruitment = Recruitment.objects.get(
        title="Atelier Lab Parentalité : tester le nouveau simulateur"
    )
    statuses = list(recruitment.registrations.values_list("status", flat=True))
    assert statuses.count(Registration.Status.CONFIRMED) == recruitment.seats
    assert statuses.count(Registration.Status.WAITING) == 2
    call_command("seed_demo", stdout=io.StringIO())
    assert Recruitment.objects.filter(title=recruitment.title).count() == 1
    assert restitution.decisions.count() == 4
