"""Creativity sessions: a directorate requests one, the lab moves the request along (declining
with a reason), runs the session, enters its ideas in bulk and its debrief document."""

import datetime
import re
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from caflab.accounts.models import Role
from caflab.core.uploads import private_storage
from caflab.network.models import Directorate
from caflab.notifications.models import Notification
from caflab.notifications.services import is_following
from ideas.forms.sessions import MAX_DEBRIEF_BYTES
from ideas.models import CreativitySession, Idea, SessionRequest, SessionRequestChange
from ideas.services import sessions as services
from projects.models import Stage
from tests.accounts.factories import UserFactory
from tests.archives import zip_of
from tests.ideas.factories import CreativitySessionFactory, SessionRequestFactory
from tests.network.factories import PartnerFactory
from tests.projects.factories import ProjectFactory
from tests.queries import assert_flat_query_count

pytestmark = pytest.mark.django_db

Status = SessionRequest.Status


@pytest.fixture
def directorate():
    return Directorate.objects.first()


@pytest.fixture
def other_directorate(directorate):
    return Directorate.objects.exclude(pk=directorate.pk).first()


@pytest.fixture
def session_request(directorate_member):
    return SessionRequestFactory(
        requested_by=directorate_member, directorate=directorate_member.directorate
    )


@pytest.fixture
def session(lab_staff, session_request):
    return CreativitySessionFactory(
        request=session_request, title="Atelier séparation", facilitators=[lab_staff]
    )


def url(name: str, obj=None) -> str:
    return reverse(f"ideas:{name}", kwargs={"pk": obj.pk} if obj is not None else None)


def session_data(**overrides) -> dict[str, object]:
    held_on = timezone.localtime() + datetime.timedelta(days=5)
    data = {
        "title": "Atelier parcours séparation",
        "method": "world_cafe",
        "held_on": held_on.strftime("%Y-%m-%dT%H:%M"),
        "caf": "",
        "place": "",
        "video_link": "https://visio.example.org/atelier",
        "facilitators": "labo@cnaf.example",
        "participants_agents": "8",
        "participants_citizens": "3",
        "participants_partners": "1",
        "materials": "",
        "debrief": "",
    }
    return data | overrides


def ooxml(member: str) -> bytes:
    return zip_of(("[Content_Types].xml", "<Types/>"), (member, "<document/>"))


def ideas_data(rows: list[tuple[str, str, str]], total: int = 5) -> dict[str, object]:
    data: dict[str, object] = {
        "idees-TOTAL_FORMS": str(total),
        "idees-INITIAL_FORMS": "0",
        "idees-MIN_NUM_FORMS": "0",
        "idees-MAX_NUM_FORMS": "30",
    }
    for index in range(total):
        title, problem, author = rows[index] if index < len(rows) else ("", "", "")
        data |= {
            f"idees-{index}-title": title,
            f"idees-{index}-problem": problem,
            f"idees-{index}-author": author or "labo@cnaf.example",
        }
    return data


# --- requests: who sees what ---------------------------------------------------------------


def test_a_directorate_member_requests_a_session_follows_it_and_the_lab_is_told(
    client, directorate_member, lab_staff
):
    client.force_login(directorate_member)
    assert client.get(url("session-request-create")).status_code == 200
    start = timezone.localdate() + datetime.timedelta(days=30)
    response = client.post(
        url("session-request-create"),
        {
            "kind": "session",
            "title": "Mieux accompagner les séparations",
            "problem": "Les parents séparés déclarent plusieurs fois la même chose.",
            "desired_from": start.isoformat(),
            "desired_until": (start + datetime.timedelta(days=20)).isoformat(),
            "expected_participants": "10 agents",
        },
    )
    request = SessionRequest.objects.get()
    assert response.status_code == 302
    assert response.url == request.get_absolute_url()
    assert (request.requested_by, request.directorate) == (
        directorate_member,
        directorate_member.directorate,
    )
    assert request.status == Status.REQUESTED
    assert request.changes.count() == 1
    assert is_following(user=directorate_member, obj=request)
    assert Notification.objects.filter(kind="session_request.created", recipient=lab_staff).exists()


def test_desired_dates_out_of_order_are_a_french_error_with_typed_values_kept(
    client, directorate_member
):
    client.force_login(directorate_member)
    start = timezone.localdate() + datetime.timedelta(days=30)
    response = client.post(
        url("session-request-create"),
        {
            "kind": "accompaniment",
            "title": "Accueil des jeunes",
            "problem": "Les jeunes ne viennent pas.",
            "desired_from": start.isoformat(),
            "desired_until": (start - datetime.timedelta(days=1)).isoformat(),
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Cette date doit suivre la date de début souhaitée." in html
    assert 'value="Accueil des jeunes"' in html
    assert not SessionRequest.objects.exists()


def test_only_directorate_members_request_sessions(client, lab_staff, agent_a):
    for user in (lab_staff, agent_a):
        client.force_login(user)
        assert client.get(url("session-request-create")).status_code == 403


def test_requests_are_seen_by_the_lab_and_by_their_directorate_only(
    client, lab_staff, agent_a, citizen, directorate_member, other_directorate, session_request
):
    outsider = UserFactory(role=Role.DIRECTORATE, caf=None, directorate=other_directorate)
    colleague = UserFactory(
        role=Role.DIRECTORATE, caf=None, directorate=directorate_member.directorate
    )
    for user in (lab_staff, directorate_member, colleague):
        client.force_login(user)
        assert client.get(url("session-request-detail", session_request)).status_code == 200
        assert session_request.title in client.get(url("session-request-list")).content.decode()
    client.force_login(outsider)
    assert client.get(url("session-request-detail", session_request)).status_code == 404
    assert session_request.title not in client.get(url("session-request-list")).content.decode()
    for user in (agent_a, citizen):
        client.force_login(user)
        assert client.get(url("session-request-list")).status_code == 403
        assert client.get(url("session-request-detail", session_request)).status_code == 404


def test_only_the_lab_moves_a_request(client, directorate_member, session_request):
    client.force_login(directorate_member)
    response = client.post(url("session-request-move", session_request), {"status": "qualified"})
    assert response.status_code == 403
    session_request.refresh_from_db()
    assert session_request.status == Status.REQUESTED


# --- requests: lifecycle -------------------------------------------------------------------


def test_each_move_of_a_request_is_recorded_and_the_requester_told(
    client,
    lab_staff,
    directorate_member,
    session_request,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    client.force_login(lab_staff)
    for status in ("qualified", "scheduled", "held", "debriefed"):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                url("session-request-move", session_request),
                {"status": status, "note": f"Étape {status}"},
            )
        assert response.status_code == 302
    session_request.refresh_from_db()
    assert session_request.status == Status.DEBRIEFED
    assert session_request.handled_by == lab_staff
    changes = list(
        SessionRequestChange.objects.filter(request=session_request)
        .order_by("changed_at", "pk")
        .values_list("from_status", "to_status")
    )
    assert changes == [
        ("requested", "qualified"),
        ("qualified", "scheduled"),
        ("scheduled", "held"),
        ("held", "debriefed"),
    ]
    assert [m.to for m in mailoutbox] == [[directorate_member.email]] * 4
    assert "Restituée" in mailoutbox[-1].subject or "restituée" in mailoutbox[-1].subject


def test_declining_a_request_needs_a_reason_that_the_requester_receives(
    client,
    lab_staff,
    directorate_member,
    session_request,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    client.force_login(lab_staff)
    response = client.post(
        url("session-request-move", session_request), {"status": "declined", "reason": "  "}
    )
    assert response.status_code == 200
    assert "Un refus doit être motivé." in response.content.decode()
    session_request.refresh_from_db()
    assert session_request.status == Status.REQUESTED

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("session-request-move", session_request),
            {"status": "declined", "reason": "Le sujet relève d'un projet déjà en cours."},
        )
    assert response.status_code == 302
    session_request.refresh_from_db()
    assert session_request.status == Status.DECLINED
    assert session_request.decline_reason == "Le sujet relève d'un projet déjà en cours."
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [directorate_member.email]
    assert "Le sujet relève d'un projet déjà en cours." in mailoutbox[0].body
    # a declined request goes nowhere
    assert services.request_next_statuses(Status.DECLINED) == []


def test_the_database_refuses_a_decline_without_a_reason(session_request):
    with pytest.raises(IntegrityError), transaction.atomic():
        SessionRequest.objects.filter(pk=session_request.pk).update(status=Status.DECLINED)


def test_a_request_cannot_go_back(lab_staff, session_request):
    services.session_request_move(request=session_request, by=lab_staff, status=Status.HELD)
    with pytest.raises(ValidationError, match="ne peut pas passer"):
        services.session_request_move(
            request=session_request, by=lab_staff, status=Status.QUALIFIED
        )


# --- sessions ------------------------------------------------------------------------------


def test_the_lab_schedules_a_session_from_a_request_which_becomes_scheduled(
    client, lab_staff, session_request
):
    client.force_login(lab_staff)
    page = client.get(url("session-create") + f"?demande={session_request.pk}")
    assert page.status_code == 200
    assert f'value="{session_request.title}"' in page.content.decode()
    response = client.post(url("session-create"), session_data(request=session_request.pk))
    session = CreativitySession.objects.get()
    assert response.status_code == 302
    assert response.url == session.get_absolute_url()
    assert session.request == session_request
    assert list(session.facilitators.all()) == [lab_staff]
    session_request.refresh_from_db()
    assert session_request.status == Status.SCHEDULED


def test_a_session_needs_a_place_or_a_video_link(client, lab_staff):
    client.force_login(lab_staff)
    response = client.post(url("session-create"), session_data(video_link=""))
    assert response.status_code == 200
    assert "Indiquez un lieu ou un lien de visioconférence." in response.content.decode()
    assert not CreativitySession.objects.exists()


def test_marking_a_session_held_holds_its_request(client, lab_staff, session, session_request):
    services.session_request_move(request=session_request, by=lab_staff, status=Status.SCHEDULED)
    client.force_login(lab_staff)
    response = client.post(url("session-detail", session), {"action": "tenue"})
    assert response.status_code == 302
    session.refresh_from_db()
    session_request.refresh_from_db()
    assert session.is_held
    assert session_request.status == Status.HELD


def test_sessions_are_read_by_the_network_and_run_by_the_lab_and_facilitators(
    client, agent_a, agent_b, citizen, session
):
    client.force_login(agent_b)
    assert client.get(url("session-detail", session)).status_code == 200
    assert client.get(url("session-update", session)).status_code == 403
    assert client.get(url("session-ideas", session)).status_code == 403
    session.facilitators.add(agent_a)
    client.force_login(agent_a)
    assert client.get(url("session-update", session)).status_code == 200
    client.force_login(citizen)
    assert client.get(url("session-list")).status_code == 403
    assert client.get(url("session-detail", session)).status_code == 404


def test_a_facilitator_outside_the_lab_edits_the_session_but_not_its_request(
    client, agent_a, session, session_request
):
    other = SessionRequestFactory()
    session.facilitators.add(agent_a)
    client.force_login(agent_a)
    page = client.get(url("session-update", session)).content.decode()
    assert other.title not in page
    data = session_data(request=other.pk, facilitators=agent_a.email, materials="Post-it")
    response = client.post(url("session-update", session), data)
    assert response.status_code == 302
    session.refresh_from_db()
    assert (session.request, session.materials) == (session_request, "Post-it")


# --- ideas from a session ------------------------------------------------------------------


def test_ideas_entered_in_bulk_are_linked_to_the_session(client, lab_staff, agent_a, session):
    client.force_login(lab_staff)
    page = client.get(url("session-ideas", session))
    assert page.status_code == 200
    assert 'value="labo@cnaf.example"' in page.content.decode()  # the facilitator by default
    rows = [
        ("Un seul formulaire de séparation", "Les parents déclarent trois fois.", ""),
        ("Rendez-vous commun Caf–CPAM", "Deux organismes, deux rendez-vous.", agent_a.email),
        ("Simulateur après séparation", "Les droits changent sans qu'on le sache.", ""),
    ]
    response = client.post(url("session-ideas", session), ideas_data(rows))
    assert response.status_code == 302
    ideas = list(Idea.objects.order_by("pk"))
    assert [i.title for i in ideas] == [row[0] for row in rows]
    assert all(i.session == session and i.source == Idea.Source.SESSION for i in ideas)
    assert [i.author for i in ideas] == [lab_staff, agent_a, lab_staff]
    assert ideas[1].caf == agent_a.caf
    assert ideas[0].caf == session.caf  # the lab has no Caf: the session's
    assert all(i.status == Idea.Status.SUBMITTED for i in ideas)
    assert is_following(user=agent_a, obj=ideas[1])


def test_an_unknown_author_creates_no_idea_at_all(client, lab_staff, session):
    client.force_login(lab_staff)
    rows = [
        ("Idée valable", "Un problème.", ""),
        ("Idée d'un inconnu", "Un autre problème.", "personne@example.org"),
    ]
    response = client.post(url("session-ideas", session), ideas_data(rows))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Adresse inconnue ou non autorisée ici\u00a0: personne@example.org." in html
    assert 'value="Idée valable"' in html
    assert not Idea.objects.exists()


def test_an_empty_bulk_form_is_an_error(client, lab_staff, session):
    client.force_login(lab_staff)
    response = client.post(url("session-ideas", session), ideas_data([]))
    assert response.status_code == 200
    assert "Saisissez au moins une idée." in response.content.decode()


def test_the_session_page_lists_its_ideas_and_the_stage_of_their_projects(
    client, agent_a, lab_staff, session
):
    _shelved, accepted = services.session_ideas_add(
        session=session,
        by=lab_staff,
        rows=[
            {"title": "Idée en attente", "problem": "…", "author": agent_a},
            {"title": "Idée retenue", "problem": "…", "author": agent_a},
        ],
    )
    project = ProjectFactory(stage=Stage.PROTOTYPE)
    Idea.objects.filter(pk=accepted.pk).update(status=Idea.Status.ACCEPTED, project=project)
    client.force_login(agent_a)
    html = client.get(url("session-detail", session)).content.decode()
    assert "Idée en attente" in html
    assert "Idée retenue" in html
    assert project.code in html
    assert "Prototype" in html


# --- the debrief document ------------------------------------------------------------------


def test_a_debrief_of_the_wrong_type_is_refused_with_the_typed_values_kept(
    client, lab_staff, session
):
    client.force_login(lab_staff)
    upload = SimpleUploadedFile("compte-rendu.exe", b"MZ\x90\x00binaire", "application/pdf")
    data = session_data(title="Titre tapé", debrief="Compte rendu tapé", debrief_file=upload)
    response = client.post(url("session-update", session), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Ce type de fichier n’est pas accepté" in html
    assert 'value="Titre tapé"' in html
    assert "Compte rendu tapé" in html
    session.refresh_from_db()
    assert not session.debrief_file


def test_a_pdf_that_is_not_a_pdf_is_refused(client, lab_staff, session):
    client.force_login(lab_staff)
    upload = SimpleUploadedFile("restitution.pdf", b"MZ\x90\x00pas un pdf")
    response = client.post(url("session-update", session), session_data(debrief_file=upload))
    assert response.status_code == 200
    assert "ne correspond pas à son extension (.pdf)" in response.content.decode()


def test_a_debrief_over_20_mb_is_refused(client, lab_staff, session):
    client.force_login(lab_staff)
    content = b"%PDF-1.7\n" + b"0" * MAX_DEBRIEF_BYTES
    upload = SimpleUploadedFile("restitution.pdf", content, "application/pdf")
    response = client.post(url("session-update", session), session_data(debrief_file=upload))
    assert response.status_code == 200
    assert "dépasse la taille maximale de 20 Mo" in response.content.decode()


def test_a_docx_debrief_is_stored_under_a_random_name_and_served_as_an_attachment(
    client, lab_staff, agent_b, session
):
    client.force_login(lab_staff)
    document = ooxml("word/document.xml")
    upload = SimpleUploadedFile("Mon compte rendu.docx", document)
    response = client.post(url("session-update", session), session_data(debrief_file=upload))
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.debrief_file.name.startswith("sessions/")
    assert "compte" not in session.debrief_file.name.lower()
    client.force_login(agent_b)
    download = client.get(url("session-debrief", session))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment;")
    assert (
        'filename="restitution-atelier-parcours-separation.docx"'
        in (download["Content-Disposition"])
    )
    assert download["Content-Type"].startswith("application/vnd.openxmlformats")
    assert b"".join(download.streaming_content) == document


def test_the_debrief_is_404_to_whoever_cannot_see_the_session(client, citizen, session):
    session.debrief_file.save("restitution.pdf", ContentFile(b"%PDF-1.7 test"))
    partner = UserFactory(role=Role.PARTNER, caf=None, partner=PartnerFactory())
    for user in (citizen, partner):
        client.force_login(user)
        assert client.get(url("session-debrief", session)).status_code == 404
    session.facilitators.add(partner)  # a partner who facilitated it sees it
    assert client.get(url("session-debrief", session)).status_code == 200


def test_the_debrief_is_404_when_there_is_none(client, agent_a, session):
    client.force_login(agent_a)
    assert client.get(url("session-debrief", session)).status_code == 404


def test_the_debrief_is_stored_in_the_private_storage_without_a_url(
    client, lab_staff, session, settings
):
    """Never under MEDIA_ROOT (which runserver, or a web server, may serve at /media/)."""
    client.force_login(lab_staff)
    upload = SimpleUploadedFile("restitution.pdf", b"%PDF-1.7\n%%EOF\n", "application/pdf")
    response = client.post(url("session-update", session), session_data(debrief_file=upload))
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.debrief_file.storage is private_storage
    path = Path(session.debrief_file.path)
    assert path.is_relative_to(Path(settings.PRIVATE_MEDIA_ROOT))
    assert not path.is_relative_to(Path(settings.MEDIA_ROOT))
    assert path.read_bytes() == b"%PDF-1.7\n%%EOF\n"
    with pytest.raises(NotImplementedError):
        session.debrief_file.url  # noqa: B018
    # The session's pages, the edit form included, link the download view only.
    for page in (url("session-detail", session), url("session-update", session)):
        html = client.get(page).content.decode()
        assert "/media/" not in html, page
    assert url("session-debrief", session) in client.get(url("session-detail", session)).text


# --- query counts --------------------------------------------------------------------------


def test_the_request_list_costs_the_same_number_of_queries_whatever_its_size(
    client, lab_staff, directorate_member
):
    client.force_login(lab_staff)

    def add_requests(n: int) -> None:
        for _ in range(n):
            request = SessionRequestFactory(
                requested_by=directorate_member, directorate=directorate_member.directorate
            )
            services.session_request_move(request=request, by=lab_staff, status=Status.QUALIFIED)
            CreativitySessionFactory(request=request)

    assert_flat_query_count(
        client, url("session-request-list"), add_requests, sizes=(2, 12), expected=7
    )


def test_the_session_list_costs_the_same_number_of_queries_whatever_its_size(client, agent_a):
    client.force_login(agent_a)

    def add_sessions(n: int) -> None:
        for _ in range(n):
            CreativitySessionFactory(request=SessionRequestFactory())

    assert_flat_query_count(client, url("session-list"), add_sessions, sizes=(2, 12))


# --- pages ---------------------------------------------------------------------------------


def _page_structure_is_sound(html: str) -> None:
    assert html.count("<h1") == 1
    ids = re.findall(r' id="([^"]+)"', html)
    assert not {i for i in ids if ids.count(i) > 1}, "duplicate ids"


def test_the_session_pages_have_one_heading_and_no_duplicate_id(
    client, lab_staff, directorate_member, session, session_request
):
    client.force_login(lab_staff)
    for path in (
        url("session-list"),
        url("session-create"),
        url("session-detail", session),
        url("session-update", session),
        url("session-ideas", session),
        url("session-request-list"),
        url("session-request-detail", session_request),
    ):
        _page_structure_is_sound(client.get(path).content.decode())
    client.force_login(directorate_member)
    _page_structure_is_sound(client.get(url("session-request-create")).content.decode())
