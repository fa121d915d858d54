"""Contribution pages: who sees what (404) and may do what (403), forms that keep what was typed,
double clicks that end in a message, the moderation queue's bulk actions, and pinned query
counts for the list and the queue."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from caflab.network.models import Theme
from caflab.notifications.models import Notification
from ecoute.models import AnswerStatus, Consultation, Contribution, ContributionSupport
from ecoute.services import consultation_move
from ecoute.services import contributions as services
from tests.accounts.factories import UserFactory
from tests.ecoute.factories import ConsultationFactory, ContributionFactory
from tests.projects.factories import ProjectFactory
from tests.queries import assert_flat_query_count

pytestmark = pytest.mark.django_db


@pytest.fixture
def call(correspondent_a, caf_a):
    """Caf A's open public call for ideas (usagers and agents), moderated before publication."""
    return ConsultationFactory(
        title="Vos idées pour l'accueil",
        slug="idees-accueil",
        owner=correspondent_a,
        caf=caf_a,
        audience=Consultation.Audience.BOTH,
        collects_contributions=True,
    )


@pytest.fixture
def theme(db):
    return Theme.objects.active().first()


@pytest.fixture
def published(call, citizen):
    return ContributionFactory(consultation=call, author=citizen, title="Visio le soir")


def list_url(consultation):
    return reverse("ecoute:contributions", kwargs={"slug": consultation.slug})


def create_url(consultation):
    return reverse("ecoute:contribution-create", kwargs={"slug": consultation.slug})


# --- visibility ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "reader", "expected"),
    [
        ("pending", "author", 200),
        ("pending", "correspondent_a", 200),
        ("pending", "lab_staff", 200),
        ("pending", "agent_a", 404),
        ("pending", "anonymous", 404),
        ("reported", "agent_b", 404),
        ("hidden", "author", 200),
        ("rejected", "correspondent_b", 404),
        ("published", "anonymous", 200),
    ],
)
def test_unpublished_contributions_are_404_but_to_their_author_and_managers(
    call, status, reader, expected, client, request
):
    author = UserFactory(citizen=True)
    contribution = ContributionFactory(consultation=call, author=author, status=status)
    if reader == "author":
        client.force_login(author)
    elif reader != "anonymous":
        client.force_login(request.getfixturevalue(reader))
    assert client.get(contribution.get_absolute_url()).status_code == expected


def test_a_consultation_without_contributions_has_no_list(client, lab_staff):
    plain = ConsultationFactory(slug="questionnaire", owner=lab_staff)
    assert client.get(list_url(plain)).status_code == 404


def test_a_draft_call_stays_404(call, client, citizen):
    Consultation.objects.filter(pk=call.pk).update(status=Consultation.Status.DRAFT)
    client.force_login(citizen)
    assert client.get(list_url(call)).status_code == 404
    assert client.get(create_url(call)).status_code == 404


def test_agents_only_call_is_404_to_citizens(client, citizen, agent_b, lab_staff):
    call = ConsultationFactory(
        slug="agents",
        owner=lab_staff,
        audience=Consultation.Audience.AGENTS,
        access=Consultation.Access.AGENTS,
        collects_contributions=True,
    )
    contribution = ContributionFactory(consultation=call, author=agent_b)
    client.force_login(citizen)
    assert client.get(list_url(call)).status_code == 404
    assert client.get(contribution.get_absolute_url()).status_code == 404


def test_agents_may_not_contribute_to_a_call_for_usagers(client, agent_a, lab_staff):
    call = ConsultationFactory(slug="usagers", owner=lab_staff, collects_contributions=True)
    client.force_login(agent_a)
    assert client.get(create_url(call)).status_code == 403


def test_anonymous_visitors_read_and_are_invited_to_log_in(call, published, client):
    page = client.get(list_url(call)).content.decode()
    assert "Visio le soir" in page
    assert "Se connecter pour contribuer" in page
    detail = client.get(published.get_absolute_url()).content.decode()
    assert "Connectez-vous pour soutenir ou commenter" in detail
    response = client.get(create_url(call))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_the_list_filters_by_theme_and_answer_status(call, client, lab_staff):
    themes = list(Theme.objects.active()[:2])
    first = ContributionFactory(consultation=call, title="Idée logement", theme=themes[0])
    ContributionFactory(consultation=call, title="Idée petite enfance", theme=themes[1])
    services.official_answer_give(
        contribution=first, by=lab_staff, status=AnswerStatus.UNDER_STUDY, text="On étudie."
    )
    page = client.get(list_url(call), {"theme": themes[1].pk}).content.decode()
    assert "Idée petite enfance" in page
    assert "Idée logement" not in page
    page = client.get(list_url(call), {"answer": "under_study"}).content.decode()
    assert "Idée logement" in page
    assert "Idée petite enfance" not in page


# --- submitting ----------------------------------------------------------------------------


def test_a_citizen_submits_and_is_told_it_waits_for_moderation(call, citizen, theme, client):
    client.force_login(citizen)
    response = client.post(
        create_url(call),
        {"title": "Un guichet le samedi", "text": "Ouvrir le samedi.", "theme": theme.pk},
        follow=True,
    )
    contribution = Contribution.objects.get()
    assert contribution.author == citizen
    assert contribution.status == Contribution.Status.PENDING
    assert "après relecture par la modération" in response.content.decode()
    assert client.get(list_url(call)).content.decode().count("Un guichet le samedi") == 1


def test_the_form_keeps_what_was_typed_on_error(call, citizen, client):
    client.force_login(citizen)
    response = client.post(
        create_url(call), {"title": "Un guichet le samedi", "text": "Ouvrir le samedi matin."}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'value="Un guichet le samedi"' in page
    assert "Ouvrir le samedi matin." in page
    assert "Ce champ est obligatoire" in page
    assert not Contribution.objects.exists()


# --- supports, reports, comments -----------------------------------------------------------


def test_a_double_click_on_support_ends_in_already_supported(published, agent_a, client):
    client.force_login(agent_a)
    url = reverse("ecoute:contribution-support", kwargs={"pk": published.pk})
    client.post(url, {"action": "support"})
    response = client.post(url, {"action": "support"}, follow=True)
    assert response.status_code == 200
    assert "Vous soutenez déjà cette contribution." in response.content.decode()
    assert ContributionSupport.objects.filter(contribution=published).count() == 1


def test_a_comment_keeps_its_text_on_error_and_is_posted_otherwise(published, agent_a, client):
    client.force_login(agent_a)
    url = reverse("ecoute:contribution-comment", kwargs={"pk": published.pk})
    response = client.post(url, {"commentaire-text": ""})
    assert response.status_code == 200
    assert "Ce champ est obligatoire" in response.content.decode()
    response = client.post(url, {"commentaire-text": "Très bonne idée"}, follow=True)
    assert "sera publié après relecture" in response.content.decode()


def test_reporting_from_the_page(published, agent_a, client):
    client.force_login(agent_a)
    url = reverse("ecoute:contribution-report", kwargs={"pk": published.pk})
    client.post(url, {"reason": "Propos déplacés"})
    response = client.post(url, {"reason": "Encore"}, follow=True)
    assert "déjà signalé" in response.content.decode()


# --- official answer -----------------------------------------------------------------------


def test_the_official_answer_form_keeps_input_and_requires_a_reason(
    published, correspondent_a, client
):
    client.force_login(correspondent_a)
    url = reverse("ecoute:contribution-answer", kwargs={"pk": published.pk})
    response = client.post(url, {"status": "not_adopted", "text": "Nous ne pouvons pas."})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Nous ne pouvons pas." in page
    assert "Indiquez pourquoi" in page
    published.refresh_from_db()
    assert published.answer_status == AnswerStatus.RECEIVED


def test_taken_into_a_project_shows_its_stage_on_the_contribution(published, lab_staff, client):
    project = ProjectFactory(title="Rendez-vous du soir", stage="prototype", is_public=True)
    client.force_login(lab_staff)
    url = reverse("ecoute:contribution-answer", kwargs={"pk": published.pk})
    response = client.post(
        url, {"status": "in_project", "text": "Le projet l'intègre.", "project": project.pk}
    )
    assert response.status_code == 302
    client.logout()
    page = client.get(published.get_absolute_url()).content.decode()
    assert "Rendez-vous du soir" in page
    assert "stage-badge" in page
    assert "Prototype" in page


def test_only_managers_answer(published, agent_a, correspondent_b, client):
    url = reverse("ecoute:contribution-answer", kwargs={"pk": published.pk})
    for user in (agent_a, correspondent_b):
        client.force_login(user)
        assert client.get(url).status_code == 403


# --- moderation queue ----------------------------------------------------------------------


def moderation_url(**query):
    """The one queue, filtered to contributions (and to `consultation`, `etat`)."""
    url = f"{reverse('engagement:queue')}?type=contributions-deposees"
    return url + "".join(f"&{k}={v}" for k, v in query.items())


def test_the_old_address_leads_to_the_one_queue_with_its_consultation(call, lab_staff, client):
    client.force_login(lab_staff)
    old = reverse("ecoute:contribution-moderation")
    assert client.get(f"{old}?consultation={call.pk}").url == moderation_url(consultation=call.pk)
    assert client.get(f"{old}?consultation=x").url == moderation_url()


def test_bulk_publish_with_a_message_notifies_the_authors(
    call, correspondent_a, theme, client, mailoutbox, django_capture_on_commit_callbacks
):
    authors = [UserFactory(citizen=True, email=f"auteur{i}@example.org") for i in range(2)]
    pending = [
        services.contribution_submit(
            consultation=call, by=author, title=f"Idée {i}", text=f"Texte {i}", theme=theme
        )
        for i, author in enumerate(authors)
    ]
    client.force_login(correspondent_a)
    page = client.get(moderation_url()).content.decode()
    assert "Texte 0" in page
    assert "Texte 1" in page
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("engagement:queue"),
            {
                "items": [f"contributions-deposees:{c.pk}" for c in pending],
                "action": "publish",
                "message": "Bienvenue dans l'appel à idées.",
            },
        )
    assert response.status_code == 302
    assert set(Contribution.objects.values_list("status", flat=True)) == {"published"}
    for author in authors:
        assert Notification.objects.get(recipient=author).body == "Bienvenue dans l'appel à idées."
    assert len(mailoutbox) == 2


def test_bulk_form_keeps_the_message_when_nothing_is_checked(call, correspondent_a, client):
    ContributionFactory(consultation=call, status="pending")
    client.force_login(correspondent_a)
    response = client.post(
        reverse("engagement:queue"), {"action": "hide", "message": "Mon message"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Cochez au moins un élément" in page
    assert "Mon message" in page


def test_a_correspondent_cannot_moderate_another_cafs_contributions(call, correspondent_b, client):
    pending = ContributionFactory(consultation=call, status="pending", title="De l'Isère")
    client.force_login(correspondent_b)
    rows = client.get(moderation_url()).context["rows"]
    assert pending.pk not in [row.pk for row in rows]
    response = client.post(
        reverse("engagement:queue"),
        {"items": [f"contributions-deposees:{pending.pk}"], "action": "publish"},
        follow=True,
    )
    assert "non concerné" in response.content.decode()  # skipped: not theirs to moderate
    pending.refresh_from_db()
    assert pending.status == "pending"


def test_the_queue_filters_by_consultation_and_state(call, lab_staff, client):
    other = ConsultationFactory(slug="autre", owner=lab_staff, collects_contributions=True)
    ContributionFactory(consultation=call, status="pending", title="Attente ici", text="Ici")
    ContributionFactory(
        consultation=other, status="pending", title="Attente ailleurs", text="Ailleurs"
    )
    ContributionFactory(consultation=call, status="hidden", title="Masquée ici", text="Masquée")
    client.force_login(lab_staff)
    response = client.get(moderation_url(consultation=call.pk))
    assert [row.text for row in response.context["rows"]] == ["Ici"]
    page = response.content.decode()
    assert escape(f"Contributions de «\u00a0{call.title}\u00a0»") in page
    assert f'name="consultation" value="{call.pk}"' in page  # kept when filtering on
    response = client.get(moderation_url(consultation=call.pk, etat="hidden"))
    assert [row.text for row in response.context["rows"]] == ["Masquée"]
    # A consultation the person does not manage is no filter: the whole queue.
    outsider = ConsultationFactory(slug="hors-champ")
    client.force_login(UserFactory(email="moderatrice@cnaf.example", role="moderator"))
    response = client.get(moderation_url(consultation=outsider.pk + 1000))
    assert "Contributions de" not in response.content.decode()


def queue_url(kind):
    return f"{reverse('engagement:queue')}?type={kind}"


def test_contributions_comments_are_moderated_in_the_one_queue(
    call, published, correspondent_a, correspondent_b, agent_a, citizen, client
):
    comment = services.comment_add(contribution=published, by=agent_a, text="À relire svp")
    assert comment.status == "pending"  # the call is moderated before publication
    client.force_login(correspondent_a)
    queue = client.get(queue_url("contributions-commentaires"))
    assert [row.pk for row in queue.context["rows"]] == [comment.pk]
    response = client.post(
        reverse("engagement:queue"),
        {"items": [f"contributions-commentaires:{comment.pk}"], "action": "publish"},
    )
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.status == "visible"
    assert comment.moderated_by == correspondent_a
    assert Notification.objects.filter(recipient=citizen, kind="ecoute.comment_added").exists()
    # Another Caf's correspondent does not moderate this call's comments.
    client.force_login(correspondent_b)
    rows = client.get(queue_url("contributions-commentaires")).context["rows"]
    assert comment.pk not in [row.pk for row in rows]


def test_contributions_are_moderated_in_the_one_queue_too(
    call, correspondent_a, correspondent_b, client
):
    author = UserFactory(citizen=True)
    pending = ContributionFactory(consultation=call, status="pending", author=author)
    client.force_login(correspondent_a)
    queue = client.get(queue_url("contributions-deposees"))
    assert [row.pk for row in queue.context["rows"]] == [pending.pk]
    client.post(
        reverse("engagement:queue"),
        {
            "items": [f"contributions-deposees:{pending.pk}"],
            "action": "reject",
            "message": "Hors sujet.",
        },
    )
    pending.refresh_from_db()
    assert pending.status == "rejected"
    assert Notification.objects.get(recipient=author).body == "Hors sujet."
    hidden = client.get(queue_url("contributions-deposees") + "&etat=hidden")
    assert [row.pk for row in hidden.context["rows"]] == [pending.pk]
    # Another Caf's correspondent: the row is not theirs, the action skips it.
    other = ContributionFactory(consultation=call, status="pending")
    client.force_login(correspondent_b)
    client.post(
        reverse("engagement:queue"),
        {"items": [f"contributions-deposees:{other.pk}"], "action": "publish"},
    )
    other.refresh_from_db()
    assert other.status == "pending"


# --- the consultation's form and page ------------------------------------------------------


def test_a_call_for_ideas_is_set_in_the_consultation_form_and_published_without_questions(
    client, lab_staff, call
):
    client.force_login(lab_staff)
    form = client.get(reverse("ecoute:update", kwargs={"pk": call.pk})).context["form"]
    assert {"collects_contributions", "contribution_kind", "moderation_mode"} <= set(form.fields)
    draft = ConsultationFactory(
        slug="appel", owner=lab_staff, status="draft", collects_contributions=True
    )
    consultation_move(consultation=draft, action="publish", by=lab_staff)
    draft.refresh_from_db()
    assert draft.is_open


def test_the_consultation_page_links_to_the_contributions(call, client, citizen):
    client.force_login(citizen)
    page = client.get(call.get_absolute_url()).content.decode()
    assert list_url(call) in page
    assert create_url(call) in page
    assert "Répondre au questionnaire" not in page  # a call for ideas alone: no questionnaire


# --- query counts --------------------------------------------------------------------------


def test_the_list_costs_a_fixed_number_of_queries(call, client, agent_a, theme):
    client.force_login(agent_a)

    def add(n):
        for _ in range(n):
            contribution = ContributionFactory(
                consultation=call, theme=theme, project=ProjectFactory()
            )
            ContributionSupport.objects.create(contribution=contribution, user=agent_a)

    assert_flat_query_count(client, list_url(call), add, sizes=(3, 12), expected=9)


def test_the_moderation_queue_costs_a_fixed_number_of_queries(
    call, client, correspondent_a, settings
):
    client.force_login(correspondent_a)

    def add(n):
        for _ in range(n):
            contribution = ContributionFactory(consultation=call, status="pending")
            services.contribution_report(contribution=contribution, by=UserFactory(citizen=True))
            services.comment_add(
                contribution=ContributionFactory(consultation=call),
                by=UserFactory(citizen=True),
                text="À relire",
            )

    assert_flat_query_count(client, moderation_url(), add, sizes=(3, 12), expected=6)
