"""Restitution that cannot be skipped (issue 13): a closed consultation is archived only with a
published restitution, or by the lab with a public reason; reminders escalate (owner at N
days, the lab at 2N, the sponsor directorate at 3N) until a restitution or that archive; each
decision has its follow-up (status, progress, project, dated updates) announced to the people
who took part, and a public "où on en est" page."""

import datetime

import pytest
from django.contrib.admin import helpers
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from caflab.accounts.models import Role, User
from caflab.core.errors import AlreadyDone, InvalidState
from caflab.network.models import Directorate
from caflab.notifications.models import Notification
from ecoute.models import (
    Consultation,
    Decision,
    DecisionUpdate,
    DecisionUpdateEmail,
    HearBackRequest,
    Response,
    RestitutionReminder,
)
from ecoute.services.consultations import (
    consultation_archive_without_restitution,
    consultation_move,
)
from ecoute.services.decisions import decision_update, decision_update_announce
from ecoute.services.restitution import (
    DecisionSpec,
    restitution_publish,
    restitution_reminders_send,
    restitution_save,
)
from tests.accounts.factories import UserFactory
from tests.ecoute.factories import ConsultationFactory, ContributionFactory, RestitutionFactory
from tests.projects.factories import ProjectFactory
from tests.queries import assert_flat_query_count

pytestmark = pytest.mark.django_db
Status = Consultation.Status
D = Decision.Status
REASON = "Le service a été fermé avant la fin de l'analyse : il n'y a rien à restituer."


def _closed(owner, *, days_ago: int = 2, **fields) -> Consultation:
    now = timezone.now()
    closed_on = now - datetime.timedelta(days=days_ago)
    return ConsultationFactory(
        owner=owner,
        status=Status.CLOSED,
        opens_at=closed_on - datetime.timedelta(days=30),
        closes_at=closed_on,
        status_changed_at=closed_on,
        **fields,
    )


@pytest.fixture
def closed(lab_staff):
    return _closed(lab_staff, title="Votre accueil à la Caf", slug="accueil")


@pytest.fixture
def published(closed, lab_staff):
    """The closed consultation's restitution, published, with two decisions."""
    restitution_save(
        consultation=closed,
        by=lab_staff,
        synthesis="Vous trouvez l'attente trop longue.",
        decisions=[
            DecisionSpec(said="L'attente est trop longue", done="Accueil sur rendez-vous"),
            DecisionSpec(said="Les courriers sont obscurs", done="Courriers réécrits"),
        ],
    )
    return restitution_publish(consultation=closed, by=lab_staff)


def _first_decision(restitution) -> Decision:
    return restitution.decisions.order_by("position").first()


# --- archiving needs a restitution, or the lab's public reason ---------------------------------


def test_a_closed_consultation_without_restitution_is_not_archived(closed, lab_staff):
    with pytest.raises(InvalidState, match="Publiez d’abord la restitution"):
        consultation_move(consultation=closed, action="archive", by=lab_staff)
    closed.refresh_from_db()
    assert closed.status == Status.CLOSED


def test_results_published_without_restitution_are_not_archived_either(closed, lab_staff):
    consultation_move(consultation=closed, action="publish_results", by=lab_staff)
    with pytest.raises(InvalidState, match="Publiez d’abord la restitution"):
        consultation_move(consultation=closed, action="archive", by=lab_staff)


def test_with_its_restitution_published_it_is_archived(published, closed, lab_staff):
    consultation_move(consultation=closed, action="archive", by=lab_staff)
    closed.refresh_from_db()
    assert closed.status == Status.ARCHIVED
    assert closed.no_restitution_reason == ""


def test_the_lab_archives_without_restitution_with_a_reason_recorded(closed, lab_staff):
    consultation_archive_without_restitution(consultation=closed, by=lab_staff, reason=REASON)
    closed.refresh_from_db()
    assert closed.status == Status.ARCHIVED
    assert closed.no_restitution_reason == REASON
    assert closed.no_restitution_by == lab_staff
    change = closed.status_changes.get()
    assert (change.to_status, change.comment) == (Status.ARCHIVED, REASON)


def test_without_a_reason_the_lab_is_refused_too(closed, lab_staff):
    with pytest.raises(InvalidState, match="Écrivez pourquoi"):
        consultation_archive_without_restitution(consultation=closed, by=lab_staff, reason="  ")
    closed.refresh_from_db()
    assert closed.status == Status.CLOSED


@pytest.mark.parametrize("persona", ["correspondent_a", "moderator"])
def test_only_the_lab_may_archive_without_restitution(request, persona, caf_a, lab_staff):
    consultation = _closed(lab_staff, caf=caf_a)
    with pytest.raises(InvalidState, match="Seul le CafLab"):
        consultation_archive_without_restitution(
            consultation=consultation, by=request.getfixturevalue(persona), reason=REASON
        )


def test_the_correspondent_gets_a_french_refusal_on_the_page(client, correspondent_a, caf_a):
    consultation = _closed(correspondent_a, caf=caf_a)
    client.force_login(correspondent_a)
    url = reverse("ecoute:archive-without-restitution", kwargs={"pk": consultation.pk})
    page = client.post(url, {"reason": REASON}, follow=True)
    assert "Seul le CafLab peut archiver une consultation sans restitution" in (
        page.content.decode()
    )
    archive = client.post(
        reverse("ecoute:status", kwargs={"pk": consultation.pk}), {"action": "archive"}, follow=True
    )
    assert "Publiez d’abord la restitution" in archive.content.decode()
    consultation.refresh_from_db()
    assert consultation.status == Status.CLOSED


def test_the_manage_page_offers_the_lab_the_form_and_keeps_what_was_typed(
    client, closed, lab_staff
):
    client.force_login(lab_staff)
    manage = client.get(closed.get_manage_url()).content.decode()
    url = reverse("ecoute:archive-without-restitution", kwargs={"pk": closed.pk})
    assert url in manage
    too_short = client.post(url, {"reason": "Parce que."})
    assert too_short.status_code == 200
    html = too_short.content.decode()
    assert "Parce que." in html
    assert "au moins 20" in html
    done = client.post(url, {"reason": REASON}, follow=True)
    assert "La consultation est archivée" in done.content.decode()


def test_the_public_pages_show_the_reason(client, closed, lab_staff, citizen):
    consultation_archive_without_restitution(consultation=closed, by=lab_staff, reason=REASON)
    client.force_login(citizen)
    for url in (
        closed.get_absolute_url(),
        reverse("ecoute:follow-up", kwargs={"slug": closed.slug}),
    ):
        html = client.get(url).content.decode()
        assert "Pas de restitution, parce que…" in html
        assert "Le service a été fermé avant la fin de l&#x27;analyse" in html


def test_the_admin_action_says_why_it_left_a_consultation(client, closed):
    root = UserFactory(email="root@cnaf.example", admin=True)
    client.force_login(root)
    page = client.post(
        reverse("admin:ecoute_consultation_changelist"),
        {"action": "archive", helpers.ACTION_CHECKBOX_NAME: [str(closed.pk)]},
        follow=True,
    )
    assert "publiez d’abord la restitution" in page.content.decode()
    closed.refresh_from_db()
    assert closed.status == Status.CLOSED


# --- due and overdue, reminders that escalate -------------------------------------------------


def test_due_and_overdue_restitutions(lab_staff, settings):
    settings.ECOUTE_RESTITUTION_REMINDER_DAYS = 30
    recent = _closed(lab_staff, days_ago=5)
    late = _closed(lab_staff, days_ago=31)
    with_restitution = _closed(lab_staff, days_ago=40)
    RestitutionFactory(consultation=with_restitution)
    ConsultationFactory()  # open
    today = timezone.localdate()
    assert set(Consultation.objects.restitution_due()) == {recent, late}
    assert set(Consultation.objects.restitution_overdue(today)) == {late}
    later = today + datetime.timedelta(days=30)
    assert set(Consultation.objects.restitution_overdue(later)) == {recent, late}
    consultation_archive_without_restitution(consultation=late, by=lab_staff, reason=REASON)
    assert set(Consultation.objects.restitution_due()) == {recent}


@pytest.fixture
def sponsored(lab_staff, lead, directorate_member, settings):
    """Closed 10 days ago (N = 10), for a project the directorate member's directorate sponsors;
    its owner is the project lead."""
    settings.ECOUTE_RESTITUTION_REMINDER_DAYS = 10
    consultation = _closed(lead, days_ago=10)
    consultation.projects.add(ProjectFactory(sponsor=directorate_member.directorate))
    UserFactory(  # another directorate: never told
        role=Role.DIRECTORATE, caf=None, directorate=Directorate.objects.last()
    )
    return consultation


def _reminded(kind="ecoute.restitution_reminder") -> set:
    return set(Notification.objects.filter(kind=kind).values_list("recipient__email", flat=True))


def test_reminders_escalate_owner_then_lab_then_directorate(
    sponsored, lead, lab_staff, directorate_member
):
    now = timezone.now()
    assert restitution_reminders_send(now=now) == 1
    assert _reminded() == {lead.email}
    assert restitution_reminders_send(now=now) == 0  # the same day again: nothing
    assert restitution_reminders_send(now=now + datetime.timedelta(days=5)) == 0

    Notification.objects.all().delete()
    assert restitution_reminders_send(now=now + datetime.timedelta(days=10)) == 1
    assert {lead.email, lab_staff.email} <= _reminded()
    assert directorate_member.email not in _reminded()

    Notification.objects.all().delete()
    assert restitution_reminders_send(now=now + datetime.timedelta(days=20)) == 1
    assert {lead.email, lab_staff.email, directorate_member.email} <= _reminded()
    # The directorate cannot manage the consultation: it is sent to its public page.
    told = Notification.objects.get(
        kind="ecoute.restitution_reminder", recipient=directorate_member
    )
    assert told.url == sponsored.get_absolute_url()
    assert (
        Notification.objects.get(kind="ecoute.restitution_reminder", recipient=lab_staff).url
        == sponsored.get_manage_url()
    )
    others = User.objects.filter(role=Role.DIRECTORATE).exclude(pk=directorate_member.pk)
    assert others.exists()
    assert not set(others.values_list("email", flat=True)) & _reminded()
    assert restitution_reminders_send(now=now + datetime.timedelta(days=20)) == 0
    steps = RestitutionReminder.objects.filter(consultation=sponsored).order_by("step")
    assert [(r.step, r.level) for r in steps] == [(1, "owner"), (2, "lab"), (3, "directorate")]


def test_archiving_with_a_reason_stops_the_reminders(sponsored, lab_staff):
    consultation_archive_without_restitution(consultation=sponsored, by=lab_staff, reason=REASON)
    assert restitution_reminders_send() == 0


def test_publishing_stops_the_reminders(sponsored, lab_staff):
    restitution_save(consultation=sponsored, by=lab_staff, synthesis="Merci.", decisions=[])
    restitution_publish(consultation=sponsored, by=lab_staff)
    assert restitution_reminders_send() == 0


def test_the_manage_list_filters_and_badges_restitutions(client, lab_staff, settings):
    settings.ECOUTE_RESTITUTION_REMINDER_DAYS = 30
    _closed(lab_staff, title="Encore à temps", days_ago=3)
    _closed(lab_staff, title="Bien en retard", days_ago=45)
    ConsultationFactory(title="Toujours ouverte", owner=lab_staff)
    client.force_login(lab_staff)
    url = reverse("ecoute:manage")
    everything = client.get(url).content.decode()
    assert "Restitution en retard" in everything
    assert "Restitution attendue" in everything
    overdue = client.get(url, {"restitution": "overdue"}).content.decode()
    assert "Bien en retard" in overdue
    assert "Encore à temps" not in overdue
    assert "Toujours ouverte" not in overdue
    due = client.get(url, {"restitution": "due"}).content.decode()
    assert "Encore à temps" in due
    assert "Bien en retard" in due
    assert "Toujours ouverte" not in due


def test_the_manage_list_costs_the_same_whatever_its_size(client, lab_staff):
    client.force_login(lab_staff)

    def add(n):
        for i in range(n):
            _closed(lab_staff, days_ago=3 + 20 * (i % 3))

    assert_flat_query_count(
        client, reverse("ecoute:manage") + "?restitution=due", add, sizes=(3, 20), expected=5
    )


# --- each decision's follow-up --------------------------------------------------------------


def test_a_decision_moves_with_a_dated_update_kept_in_its_history(published, lab_staff):
    decision = _first_decision(published)
    decision_update(
        decision=decision, by=lab_staff, status=D.IN_PROGRESS, progress=40, text="Testé en Isère."
    )
    decision_update(decision=decision, by=lab_staff, status=D.DONE, progress=70, text="Généralisé.")
    decision.refresh_from_db()
    assert (decision.status, decision.progress) == (D.DONE, 100)  # done means 100 %
    history = list(decision.updates.order_by("at", "pk"))
    assert [(u.from_status, u.status, u.progress, u.text, u.by) for u in history] == [
        (D.PLANNED, D.IN_PROGRESS, 40, "Testé en Isère.", lab_staff),
        (D.IN_PROGRESS, D.DONE, 100, "Généralisé.", lab_staff),
    ]


def test_abandoning_needs_a_reason(published, lab_staff):
    decision = _first_decision(published)
    with pytest.raises(InvalidState, match="pourquoi cette décision est abandonnée"):
        decision_update(decision=decision, by=lab_staff, status=D.ABANDONED, progress=0)
    assert not decision.updates.exists()


def test_a_done_decision_is_reopened_before_being_abandoned(published, lab_staff):
    decision = _first_decision(published)
    decision_update(decision=decision, by=lab_staff, status=D.DONE, progress=100)
    with pytest.raises(InvalidState, match="rouvrez-la"):
        decision_update(
            decision=decision, by=lab_staff, status=D.ABANDONED, progress=0, text="Trop cher."
        )


def test_the_same_update_twice_is_already_done(published, lab_staff):
    decision = _first_decision(published)
    decision_update(decision=decision, by=lab_staff, status=D.IN_PROGRESS, progress=40)
    with pytest.raises(AlreadyDone):
        decision_update(decision=decision, by=lab_staff, status=D.IN_PROGRESS, progress=40)
    assert decision.updates.count() == 1


def test_editing_the_restitution_keeps_the_decisions_and_their_follow_up(published, lab_staff):
    decision, second = published.decisions.order_by("position")
    decision_update(decision=decision, by=lab_staff, status=D.IN_PROGRESS, progress=40)
    restitution_save(
        consultation=published.consultation,
        by=lab_staff,
        synthesis="Corrigée.",
        decisions=[
            DecisionSpec(said="L'attente, encore", done="Rendez-vous", pk=decision.pk),
            DecisionSpec(said="Une nouvelle", done="Faite"),
        ],
    )
    decision.refresh_from_db()
    assert (decision.said, decision.status, decision.progress) == (
        "L'attente, encore",
        D.IN_PROGRESS,
        40,
    )
    assert not Decision.objects.filter(pk=second.pk).exists()  # no follow-up: removed
    with pytest.raises(InvalidState, match="a un suivi"):
        restitution_save(
            consultation=published.consultation, by=lab_staff, synthesis="x", decisions=[]
        )
    assert DecisionUpdate.objects.filter(decision=decision).count() == 1


@pytest.fixture
def participants(closed, citizen, agent_a):
    """A citizen who answered with her account, an agent who contributed, two hear-back
    addresses (one of them the citizen's: she gets the e-mail, not both)."""
    questionnaire = closed.questionnaire
    Response.objects.create(questionnaire=questionnaire, audience="citizen", respondent=citizen)
    ContributionFactory(consultation=closed, author=agent_a)
    for email in (citizen.email, "alice@example.org"):
        HearBackRequest.objects.create(questionnaire=questionnaire, email=email)
    return closed


def test_a_move_queues_its_announcement_with_the_update_id_only(
    participants, published, lab_staff, published_tasks, django_capture_on_commit_callbacks
):
    from ecoute import tasks

    decision = _first_decision(published)
    with django_capture_on_commit_callbacks(execute=True):
        update = decision_update(decision=decision, by=lab_staff, status=D.IN_PROGRESS, progress=40)
        assert published_tasks.of(tasks.announce_decision_update) == []  # after the commit
    assert published_tasks.of(tasks.announce_decision_update) == [(update.pk,)]
    with django_capture_on_commit_callbacks(execute=True):  # news without a move: no message
        decision_update(
            decision=decision, by=lab_staff, status=D.IN_PROGRESS, progress=40, text="Rien."
        )
    assert len(published_tasks.of(tasks.announce_decision_update)) == 1


def test_announcing_tells_contributors_respondents_and_addresses_once(
    participants, published, lab_staff, agent_a, citizen, mailoutbox
):
    decision = _first_decision(published)
    update = decision_update(
        decision=decision, by=lab_staff, status=D.IN_PROGRESS, progress=40, text="Testé."
    )
    mailoutbox.clear()
    assert decision_update_announce(update_id=update.pk) == 2
    assert decision_update_announce(update_id=update.pk) == 0  # a re-run: nobody twice
    told = Notification.objects.filter(kind="ecoute.decision_update")
    assert set(told.values_list("recipient", flat=True)) == {agent_a.pk}
    assert sorted(m.to[0] for m in mail.outbox if "Où en est-on" in m.subject) == [
        "alice@example.org",
        citizen.email,
    ]
    assert DecisionUpdateEmail.objects.filter(update=update).count() == 2
    body = next(m.body for m in mail.outbox if "Où en est-on" in m.subject)
    assert "En cours, 40 %" in body
    assert "/ecoute/accueil/suivi/" in body


def test_the_update_e_mail_renders_the_decision_typed_in_markdown(
    participants, closed, lab_staff, mailoutbox
):
    """Issue 17: the decision is typed in Markdown; the HTML part shows it as the follow-up
    page does (sanitised), the text part without its markup."""
    restitution_save(
        consultation=closed,
        by=lab_staff,
        synthesis="Vous trouvez l’attente trop longue.",
        decisions=[
            DecisionSpec(
                said="L’*attente* au guichet <script>alert(1)</script>",
                done="Accueil **sur rendez-vous**, voir [le détail](https://www.caf.fr/rdv)",
            )
        ],
    )
    restitution = restitution_publish(consultation=closed, by=lab_staff)
    update = decision_update(
        decision=_first_decision(restitution), by=lab_staff, status=D.IN_PROGRESS, progress=40
    )
    mailoutbox.clear()
    decision_update_announce(update_id=update.pk)

    message = next(m for m in mailoutbox if "Où en est-on" in m.subject)
    assert "Accueil sur rendez-vous, voir le détail" in message.body
    assert "**" not in message.body
    assert "[le détail]" not in message.body
    html = message.alternatives[0][0]
    assert "<em>attente</em>" in html
    assert "Accueil <strong>sur rendez-vous</strong>" in html
    assert 'href="https://www.caf.fr/rdv"' in html
    assert "nofollow" in html
    assert "<script" not in html
    assert "**" not in html
    assert "En cours, 40 %" in html


def test_an_update_whose_e_mails_failed_is_announced_again_by_the_beat(
    participants, published, lab_staff, citizen, mail_server, published_tasks
):
    """SMTP down for the second address: the beat queues the announcement again, and the
    re-run sends only what is owed; once all went out, nothing more is queued."""
    import datetime

    from django.utils import timezone

    from ecoute import tasks
    from ecoute.services.decisions import decision_updates_resend

    decision = _first_decision(published)
    update = decision_update(decision=decision, by=lab_staff, status=D.IN_PROGRESS, progress=40)
    mail_server.fail(ConnectionRefusedError("SMTP down"), times=1, after=1)
    assert decision_update_announce(update_id=update.pk) == 1
    later = timezone.now() + datetime.timedelta(minutes=11)
    assert decision_updates_resend(now=timezone.now()) == 0  # too soon: its own run may go on
    assert decision_updates_resend(now=later) == 1
    assert published_tasks.of(tasks.announce_decision_update)[-1] == (update.pk,)
    mail_server.recover()
    assert decision_update_announce(update_id=update.pk) == 1
    assert DecisionUpdateEmail.objects.filter(update=update).count() == 2
    assert decision_updates_resend(now=later) == 0
    assert Notification.objects.filter(kind="ecoute.decision_update").count() == 1  # once


def test_a_draft_restitutions_decision_is_not_announced(participants, closed, lab_staff):
    restitution = restitution_save(
        consultation=closed,
        by=lab_staff,
        synthesis="Brouillon.",
        decisions=[DecisionSpec(said="A", done="B")],
    )
    update = decision_update(
        decision=_first_decision(restitution), by=lab_staff, status=D.IN_PROGRESS, progress=10
    )
    assert decision_update_announce(update_id=update.pk) == 0
    assert not Notification.objects.filter(kind="ecoute.decision_update").exists()


# --- the pages ------------------------------------------------------------------------------


def test_managers_update_a_decision_and_others_may_not(
    client, published, lab_staff, correspondent_b, citizen
):
    decision = _first_decision(published)
    url = reverse("ecoute:decision-update", kwargs={"pk": decision.pk})
    for outsider, expected in ((correspondent_b, 403), (citizen, 403)):
        client.force_login(outsider)
        assert client.get(url).status_code == expected
    client.force_login(lab_staff)
    missing = client.post(url, {"status": D.ABANDONED, "progress": "0", "text": ""})
    assert missing.status_code == 200
    assert "Dites pourquoi cette décision est abandonnée" in missing.content.decode()
    done = client.post(
        url, {"status": D.IN_PROGRESS, "progress": "40", "text": "Testé en Isère."}, follow=True
    )
    assert "Le point d’avancement est enregistré" in done.content.decode()
    decision.refresh_from_db()
    assert (decision.status, decision.progress) == (D.IN_PROGRESS, 40)
    history = client.get(url).content.decode()
    assert "Testé en Isère." in history


def test_the_follow_up_page_shows_status_progress_project_and_latest_update(
    client, published, lab_staff, citizen
):
    decision = _first_decision(published)
    project = ProjectFactory(title="Accueil repensé", is_public=True)
    Decision.objects.filter(pk=decision.pk).update(project=project)
    decision_update(decision=decision, by=lab_staff, status=D.IN_PROGRESS, progress=40, text="A.")
    decision_update(decision=decision, by=lab_staff, status=D.IN_PROGRESS, progress=60, text="B.")
    client.force_login(citizen)
    html = client.get(reverse("ecoute:follow-up", kwargs={"slug": "accueil"})).content.decode()
    assert "Vous avez dit, nous avons fait, où on en est" in html
    assert "En cours" in html
    assert "Avancement\u00a0: 60 %" in html
    assert '<progress class="w-100" max="100" value="60"' in html
    assert "B." in html
    assert "<p>A.</p>" not in html
    assert "Accueil repensé" in html
    assert project.get_stage_display() in html


def test_the_consultation_page_links_its_follow_up(client, published, closed):
    html = client.get(closed.get_absolute_url()).content.decode()
    assert reverse("ecoute:follow-up", kwargs={"slug": closed.slug}) in html


def test_the_follow_up_page_is_hidden_with_its_consultation(client, lab_staff, citizen, agent_a):
    agents_only = _closed(
        lab_staff,
        audience=Consultation.Audience.AGENTS,
        access=Consultation.Access.AGENTS,
    )
    url = reverse("ecoute:follow-up", kwargs={"slug": agents_only.slug})
    client.force_login(citizen)
    assert client.get(url).status_code == 404
    client.force_login(agent_a)
    assert "pas encore publiée" in client.get(url).content.decode()


def test_the_follow_up_page_costs_the_same_whatever_its_size(client, published, lab_staff):
    restitution = published
    url = reverse("ecoute:follow-up", kwargs={"slug": "accueil"})

    def add(n):
        start = restitution.decisions.count()
        for i in range(n):
            decision = Decision.objects.create(
                restitution=restitution,
                said=f"Demande {start + i}",
                done="Fait",
                position=start + i + 1,
                project=ProjectFactory(is_public=True),
            )
            decision_update(decision=decision, by=lab_staff, status=D.IN_PROGRESS, progress=10)
            decision_update(decision=decision, by=lab_staff, status=D.IN_PROGRESS, progress=20)

    assert_flat_query_count(client, url, add, sizes=(2, 12), expected=6)
