"""The idea box: who sees what, submitting (similar ideas, attachments), each idea's page,
supports, comments, follows and the attachments' downloads."""

import datetime
import html as html_lib
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from caflab.accounts.models import Role
from caflab.core.uploads import private_storage
from caflab.network.models import Theme
from caflab.notifications.services import follow, is_following
from ideas.models import Idea, IdeaAttachment, IdeaComment, IdeaStatusChange, IdeaSupport
from ideas.services import ideas as services
from ideas.views.ideas import COMMENT_THREADS
from projects.services import AlreadyDone
from tests.accounts.factories import UserFactory
from tests.archives import zip_of
from tests.ideas.factories import IdeaCommentFactory, IdeaFactory
from tests.queries import assert_flat_query_count

pytestmark = pytest.mark.django_db

LIST = reverse("ideas:idea-list")
CREATE = reverse("ideas:idea-create")
SIMILAR = reverse("ideas:idea-similar")
MINE = reverse("ideas:my-ideas")
QUEUE = reverse("engagement:queue")

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def url(name: str, idea: Idea) -> str:
    return reverse(f"ideas:{name}", kwargs={"pk": idea.pk})


def text_of(response) -> str:
    """The page's HTML with entities decoded (apostrophes are escaped by the templates)."""
    return html_lib.unescape(response.content.decode())


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def docx_bytes() -> bytes:
    return zip_of(("[Content_Types].xml", "<Types/>"), ("word/document.xml", "<w:document/>"))


@pytest.fixture
def idea(agent_a):
    """Submitted by agent_a (Caf 38), through the service: history row and author follow."""
    return services.idea_submit(
        by=agent_a,
        title="Simplifier les courriers de relance",
        problem="Les allocataires ne comprennent pas les courriers de relance des indus.",
        solution="Réécrire les courriers avec un panel d'allocataires.",
    )


def idea_data(**overrides) -> dict:
    return {
        "problem": "Les familles attendent trop longtemps au téléphone.",
        "title": "Un rappel automatique des familles",
        "solution": "Proposer d'être rappelé à un créneau choisi.",
        "target_publics": "Familles",
        "caf": "",
        "co_authors": "",
        **overrides,
    }


# --- who sees what ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("lab_staff", 200),
        ("correspondent_a", 200),
        ("agent_a", 200),
        ("agent_b", 200),
        ("citizen", 403),
        ("partner", 403),
    ],
)
def test_the_idea_box_is_the_networks_and_partners_and_citizens_get_403(
    client, request, persona, status, idea
):
    client.force_login(request.getfixturevalue(persona))
    for page in (LIST, CREATE, MINE, SIMILAR):
        assert client.get(page).status_code == status, page
    expected_detail = 200 if status == 200 else 404
    assert client.get(url("idea-detail", idea)).status_code == expected_detail


def test_anonymous_visitors_are_sent_to_the_login_page(client, idea):
    for page in (LIST, CREATE, MINE, url("idea-detail", idea)):
        response = client.get(page)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


def test_an_agent_of_another_caf_reads_the_idea_supports_and_comments(client, agent_b, idea):
    client.force_login(agent_b)
    page = client.get(url("idea-detail", idea))
    assert page.status_code == 200
    html = text_of(page)
    assert idea.title in html
    assert "Soutenir cette idée" in html
    assert page.context["comment_form"] is not None
    assert page.context["can_change"] is False
    assert page.context["can_triage"] is False


def test_the_idea_box_filters_by_theme_caf_status_and_source(client, agent_a, caf_b):
    theme = Theme.objects.first()
    wanted = IdeaFactory(title="Parentalité en ligne", caf=caf_b, source=Idea.Source.CRIEE)
    wanted.themes.add(theme)
    IdeaFactory(title="Autre idée", source=Idea.Source.BOX)
    client.force_login(agent_a)
    response = client.get(LIST, {"theme": theme.slug, "caf": caf_b.code, "source": "criee",
                                 "status": "submitted"})  # fmt: skip
    assert [i.pk for i in response.context["ideas"]] == [wanted.pk]


def test_the_idea_box_searches_the_words_of_title_and_problem(client, agent_a):
    found = IdeaFactory(title="Rendez-vous téléphonique", problem="Attente au guichet.")
    IdeaFactory(title="Autre chose", problem="Rien à voir.")
    client.force_login(agent_a)
    response = client.get(LIST, {"q": "guichet"})
    assert [i.pk for i in response.context["ideas"]] == [found.pk]


def test_my_ideas_lists_what_i_wrote_or_co_wrote_and_nothing_else(client, agent_a, agent_b):
    mine = IdeaFactory(author=agent_a)
    co_written = IdeaFactory(author=agent_b)
    co_written.co_authors.add(agent_a)
    IdeaFactory(author=agent_b)
    client.force_login(agent_a)
    response = client.get(MINE)
    assert {i.pk for i in response.context["ideas"]} == {mine.pk, co_written.pk}


# --- submitting ------------------------------------------------------------------------------


def test_an_agent_submits_an_idea_for_their_caf_and_follows_it(client, agent_a, agent_b):
    client.force_login(agent_a)
    theme = Theme.objects.first()
    response = client.post(
        CREATE,
        idea_data(caf=agent_a.caf_id, themes=[theme.pk], co_authors=agent_b.email.upper()),
    )
    idea = Idea.objects.get()
    assert response.status_code == 302
    assert response["Location"] == idea.get_absolute_url()
    assert idea.author == agent_a
    assert idea.caf == agent_a.caf
    assert idea.status == Idea.Status.SUBMITTED
    assert list(idea.co_authors.all()) == [agent_b]
    assert list(idea.themes.all()) == [theme]
    assert is_following(user=agent_a, obj=idea)
    assert IdeaStatusChange.objects.get(idea=idea).to_status == Idea.Status.SUBMITTED


def test_the_create_form_offers_the_authors_caf_by_default(client, agent_a):
    client.force_login(agent_a)
    form = client.get(CREATE).context["form"]
    assert form["caf"].value() == agent_a.caf_id


def test_the_problem_is_required_and_comes_first(client, agent_a):
    client.force_login(agent_a)
    form = client.get(CREATE).context["form"]
    assert next(iter(form.fields)) == "problem"
    response = client.post(CREATE, idea_data(problem=""))
    assert response.status_code == 200
    assert "Décrivez le problème constaté." in text_of(response)
    assert not Idea.objects.exists()


def test_an_unknown_co_author_address_is_refused_in_french(client, agent_a):
    client.force_login(agent_a)
    response = client.post(CREATE, idea_data(co_authors="personne@nulle-part.example"))
    assert "Aucun agent du réseau n’a cette adresse" in text_of(response)
    assert not Idea.objects.exists()


def test_a_citizen_cannot_submit_an_idea(client, citizen):
    client.force_login(citizen)
    assert client.post(CREATE, idea_data()).status_code == 403
    assert not Idea.objects.exists()


# --- similar ideas ---------------------------------------------------------------------------


@pytest.fixture
def ideas_for_similarity(db):
    return {
        "courriers": IdeaFactory(
            title="Courriers de relance plus clairs",
            problem="Les courriers de relance sont incompréhensibles pour les allocataires.",
        ),
        "garde": IdeaFactory(
            title="Garde d'enfants aux horaires atypiques",
            problem="Les parents qui travaillent de nuit ne trouvent pas de mode de garde.",
            solution="",
        ),
    }


def test_similar_ideas_are_found_from_the_title_and_problem_being_typed(
    client, agent_a, ideas_for_similarity
):
    client.force_login(agent_a)
    response = client.get(
        SIMILAR, {"title": "Relance", "problem": "Des courriers que personne ne comprend"},
        headers={"HX-Request": "true"},
    )  # fmt: skip
    assert response.status_code == 200
    assert response.context["similar"][0] == ideas_for_similarity["courriers"]
    assert ideas_for_similarity["garde"] not in response.context["similar"]
    assert "Courriers de relance plus clairs" in text_of(response)


def test_similar_ideas_shows_at_most_five_best_first(client, agent_a):
    for n in range(7):
        IdeaFactory(title=f"Relance numéro {n}", problem="Courriers de relance.")
    best = IdeaFactory(title="Courriers de relance", problem="Courriers de relance illisibles.")
    client.force_login(agent_a)
    similar = client.get(SIMILAR, {"title": "courriers relance illisibles"}).context["similar"]
    assert len(similar) == 5
    assert similar[0] == best


def test_similar_ideas_leave_out_merged_ideas(client, agent_a):
    target = IdeaFactory(title="Courriers de relance")
    IdeaFactory(title="Courriers de relance bis", status=Idea.Status.MERGED, merged_into=target)
    client.force_login(agent_a)
    assert client.get(SIMILAR, {"title": "courriers relance"}).context["similar"] == [target]


def test_nothing_to_look_for_shows_nothing(client, agent_a, ideas_for_similarity):
    client.force_login(agent_a)
    response = client.get(SIMILAR, {"title": "le", "problem": "de la"})
    assert response.context["similar"] == []
    assert text_of(response).strip() == ""


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="French stemming needs PostgreSQL's full-text search"
)
def test_on_postgresql_similar_ideas_match_other_forms_of_the_same_word(client, agent_a):
    plural = IdeaFactory(title="Allocations familiales versées plus tôt",
                         problem="Les familles attendent leurs allocations.")  # fmt: skip
    client.force_login(agent_a)
    similar = client.get(SIMILAR, {"title": "allocation familiale"}).context["similar"]
    assert similar == [plural]


def test_the_create_page_asks_for_similar_ideas_while_typing(client, agent_a):
    client.force_login(agent_a)
    html = text_of(client.get(CREATE))
    assert f'data-hx-get="{SIMILAR}"' in html
    assert 'data-hx-trigger="keyup changed delay:500ms"' in html
    assert 'id="idees-similaires"' in html


def test_without_javascript_the_check_button_shows_similar_ideas_and_keeps_what_was_typed(
    client, agent_a, ideas_for_similarity
):
    client.force_login(agent_a)
    response = client.post(
        CREATE,
        idea_data(title="Relance", problem="Des courriers de relance incompréhensibles",
                  verifier="1"),
    )  # fmt: skip
    assert response.status_code == 200
    assert Idea.objects.count() == 2  # nothing was submitted
    assert response.context["similar"][0] == ideas_for_similarity["courriers"]
    html = text_of(response)
    assert "Des courriers de relance incompréhensibles" in html
    assert "Le formulaire contient" not in html  # nothing was sent: no error shown


# --- attachments -----------------------------------------------------------------------------


def test_an_idea_is_submitted_with_a_pdf_and_a_docx_stored_under_random_names(client, agent_a):
    client.force_login(agent_a)
    files = [
        SimpleUploadedFile("compte rendu.pdf", PDF, content_type="application/pdf"),
        SimpleUploadedFile("../../note.docx", docx_bytes(), content_type="application/zip"),
    ]
    response = client.post(CREATE, {**idea_data(), "attachments": files})
    assert response.status_code == 302
    pdf, docx = IdeaAttachment.objects.order_by("pk")
    assert pdf.original_name == "compte_rendu.pdf"
    assert pdf.content_type == "application/pdf"
    assert "compte" not in pdf.file.name
    assert pdf.file.name.startswith("ideas/")
    assert docx.original_name == "note.docx"
    assert docx.content_type.endswith("wordprocessingml.document")


def test_an_exe_renamed_pdf_and_an_11_mb_file_are_refused_in_french_keeping_typed_values(
    client, agent_a
):
    client.force_login(agent_a)
    exe = SimpleUploadedFile("devis.pdf", b"MZ\x90\x00" + b"\x00" * 200)
    big = SimpleUploadedFile("photo.png", PNG + b"\x00" * (11 * 1024 * 1024))
    data = idea_data(title="Mon idée à garder", problem="Un problème tapé avec soin.")
    response = client.post(CREATE, {**data, "attachments": [exe, big]})
    assert response.status_code == 200
    html = text_of(response)
    assert "le contenu du fichier ne correspond pas à son extension (.pdf)" in html
    assert "«\u00a0photo.png\u00a0» dépasse la taille maximale de 10 Mo." in html
    assert "Mon idée à garder" in html
    assert "Un problème tapé avec soin." in html
    assert not Idea.objects.exists()
    assert not IdeaAttachment.objects.exists()


def test_a_file_type_outside_the_list_is_refused(client, agent_a):
    client.force_login(agent_a)
    script = SimpleUploadedFile("outil.exe", b"MZ\x90\x00")
    response = client.post(CREATE, {**idea_data(), "attachments": [script]})
    assert "ce type de fichier n’est pas accepté" in text_of(response)
    assert not Idea.objects.exists()


@pytest.fixture
def attachment(agent_a, idea):
    return services.idea_attachment_add(
        idea=idea,
        by=agent_a,
        upload=SimpleUploadedFile('rapport "final"\r\n.pdf', PDF),
        content_type="application/pdf",
    )


def test_an_agent_downloads_an_attachment_as_a_file_with_a_safe_name(client, agent_b, attachment):
    client.force_login(agent_b)
    response = client.get(reverse("ideas:idea-attachment", kwargs={"pk": attachment.pk}))
    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert '"' not in disposition.split("filename=", 1)[1].strip('"')
    assert "\r" not in disposition
    assert "\n" not in disposition
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF


@pytest.mark.parametrize("persona", ["citizen", "partner"])
def test_a_download_is_404_for_someone_who_cannot_see_the_idea(
    client, request, persona, attachment
):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(reverse("ideas:idea-attachment", kwargs={"pk": attachment.pk}))
    assert response.status_code == 404


def test_attachments_are_stored_in_the_private_storage_without_a_url(client, agent_a, settings):
    """Never under MEDIA_ROOT (which runserver, or a web server, may serve at /media/)."""
    client.force_login(agent_a)
    upload = SimpleUploadedFile("compte rendu.pdf", PDF, content_type="application/pdf")
    response = client.post(CREATE, {**idea_data(), "attachments": [upload]})
    assert response.status_code == 302
    attachment = IdeaAttachment.objects.get()
    assert attachment.file.storage is private_storage
    path = Path(attachment.file.path)
    assert path.is_relative_to(Path(settings.PRIVATE_MEDIA_ROOT))
    assert not path.is_relative_to(Path(settings.MEDIA_ROOT))
    assert path.read_bytes() == PDF
    with pytest.raises(NotImplementedError):
        attachment.file.url  # noqa: B018
    page = client.get(response["Location"])
    assert reverse("ideas:idea-attachment", kwargs={"pk": attachment.pk}) in text_of(page)
    assert "/media/" not in text_of(page)


def test_the_admin_links_an_attachment_to_its_download_view(client, attachment):
    client.force_login(UserFactory(email="root@cnaf.example", admin=True))
    page = client.get(reverse("admin:ideas_ideaattachment_change", args=[attachment.pk]))
    assert page.status_code == 200
    assert reverse("ideas:idea-attachment", kwargs={"pk": attachment.pk}) in text_of(page)


# --- editing ---------------------------------------------------------------------------------


def test_the_author_edits_the_idea_until_it_is_under_review(client, agent_a, lab_staff, idea):
    client.force_login(agent_a)
    response = client.post(url("idea-update", idea), idea_data(title="Titre retravaillé"))
    assert response.status_code == 302
    idea.refresh_from_db()
    assert idea.title == "Titre retravaillé"
    services.idea_move(idea=idea, by=lab_staff, to_status="under_review", reason="On regarde.")
    assert client.get(url("idea-update", idea)).status_code == 403
    assert client.post(url("idea-update", idea), idea_data(title="Trop tard")).status_code == 403
    idea.refresh_from_db()
    assert idea.title == "Titre retravaillé"


def test_a_co_author_edits_too_but_another_agent_cannot(client, agent_a, agent_b, idea):
    co_author = UserFactory(role=Role.AGENT)
    idea.co_authors.add(co_author)
    client.force_login(co_author)
    assert client.get(url("idea-update", idea)).status_code == 200
    client.force_login(agent_b)
    assert client.get(url("idea-update", idea)).status_code == 403


def test_an_edit_racing_the_start_of_the_review_keeps_the_idea_as_it_was(
    client, agent_a, lab_staff, idea
):
    """The form was opened while the idea was submitted; the lab started its review before
    the author saved: the service refuses under the row lock."""
    Idea.objects.filter(pk=idea.pk).update(status=Idea.Status.UNDER_REVIEW)
    with pytest.raises(AlreadyDone):
        services.idea_update(idea=idea, by=agent_a, title="Modifiée trop tard")
    idea.refresh_from_db()
    assert idea.title != "Modifiée trop tard"
    assert idea.status == Idea.Status.UNDER_REVIEW


# --- supports --------------------------------------------------------------------------------


def test_one_support_per_person_is_a_database_constraint(agent_b, idea):
    IdeaSupport.objects.create(idea=idea, user=agent_b)
    with pytest.raises(IntegrityError), transaction.atomic():
        IdeaSupport.objects.create(idea=idea, user=agent_b)


def test_supporting_twice_keeps_one_support_and_says_already_supported(client, agent_b, idea):
    services.idea_support(idea=idea, by=agent_b)
    with pytest.raises(AlreadyDone, match="déjà"):
        services.idea_support(idea=idea, by=agent_b)
    client.force_login(agent_b)
    response = client.post(url("idea-support", idea))
    assert response.status_code == 302
    assert "Vous soutenez déjà cette idée." in messages_of(response)
    assert IdeaSupport.objects.filter(idea=idea).count() == 1


def test_supporting_with_htmx_swaps_the_button_and_announces_it(client, agent_b, idea):
    client.force_login(agent_b)
    response = client.post(url("idea-support", idea), headers={"HX-Request": "true"})
    html = text_of(response)
    assert response.status_code == 200
    assert "1 soutien" in html
    assert "Retirer mon soutien" in html
    assert "Merci\u00a0: vous soutenez cette idée." in html
    response = client.post(url("idea-support", idea), {"action": "withdraw"},
                           headers={"HX-Request": "true"})  # fmt: skip
    assert "0 soutien" in text_of(response)
    assert not IdeaSupport.objects.exists()


def test_a_citizen_cannot_support_an_idea(client, citizen, idea):
    client.force_login(citizen)
    assert client.post(url("idea-support", idea)).status_code == 404
    assert not IdeaSupport.objects.exists()


# --- comments and follows --------------------------------------------------------------------


def test_comments_are_threaded_and_the_authors_are_told(
    client, agent_a, agent_b, correspondent_a, idea, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(agent_b)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("idea-comment", idea), {"commentaire-text": "Même constat à Lyon."})
    first = IdeaComment.objects.get()
    client.force_login(correspondent_a)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            url("idea-comment", idea),
            {"commentaire-text": "Merci !", "commentaire-parent": first.pk},
        )
    reply = IdeaComment.objects.exclude(pk=first.pk).get()
    nested = services.idea_comment_add(idea=idea, by=agent_a, text="Oui.", parent=reply)
    assert reply.parent == first
    assert nested.parent == first  # a reply to a reply joins the thread
    page = client.get(url("idea-detail", idea))
    assert [t.pk for t in page.context["threads"]] == [first.pk]
    assert [r.pk for r in page.context["threads"][0].replies.all()] == [reply.pk, nested.pk]
    # the author heard of both comments; agent_b of the reply to their comment
    assert sorted(m.to[0] for m in mailoutbox) == sorted([agent_a.email] * 2 + [agent_b.email])
    assert is_following(user=agent_b, obj=idea)


def test_an_empty_comment_shows_the_page_again_with_a_french_error(client, agent_b, idea):
    client.force_login(agent_b)
    response = client.post(url("idea-comment", idea), {"commentaire-text": "  "})
    assert response.status_code == 200
    assert "Le commentaire est vide." in text_of(response)
    assert not IdeaComment.objects.exists()


def test_a_moderator_hides_a_comment_and_agents_no_longer_read_it(client, lab_staff, agent_b, idea):
    comment = IdeaCommentFactory(idea=idea, text="Propos déplacés.")
    client.force_login(agent_b)
    hide = {"action": "hide"}
    assert client.post(url("idea-comment-moderate", comment), hide).status_code == 403
    moderator = UserFactory(moderator=True)
    client.force_login(moderator)
    assert client.post(url("idea-comment-moderate", comment), hide).status_code == 302
    comment.refresh_from_db()
    assert comment.is_hidden
    assert comment.status == "hidden"
    client.force_login(agent_b)
    html = text_of(client.get(url("idea-detail", idea)))
    assert "Propos déplacés." not in html
    assert "masqué par la modération" in html


def test_reporting_an_idea_comment_enough_times_hides_it_into_the_one_queue(
    client, agent_a, agent_b, idea
):
    comment = services.idea_comment_add(idea=idea, by=agent_a, text="Propos déplacés.")
    client.force_login(agent_a)  # its author is offered no report, and may not report it
    assert url("idea-comment-report", comment) not in text_of(client.get(url("idea-detail", idea)))
    assert client.post(url("idea-comment-report", comment)).status_code == 403
    client.force_login(agent_b)
    assert url("idea-comment-report", comment) in text_of(client.get(url("idea-detail", idea)))
    response = client.post(url("idea-comment-report", comment), {"reason": "Insultant"})
    assert response.status_code == 302
    assert "Merci\u00a0: le commentaire est signalé à la modération." in messages_of(response)
    response = client.post(url("idea-comment-report", comment))
    assert "Vous avez déjà signalé ce commentaire." in messages_of(response)
    assert "Vous avez signalé ce commentaire." in text_of(client.get(url("idea-detail", idea)))
    for _ in range(settings.ENGAGEMENT_REPORTS_TO_HIDE - 2):
        services.idea_comment_report(comment=comment, by=UserFactory())
    comment.refresh_from_db()
    assert comment.status == IdeaComment.Status.VISIBLE
    services.idea_comment_report(comment=comment, by=UserFactory())
    comment.refresh_from_db()
    assert comment.status == IdeaComment.Status.REPORTED
    assert comment.reports.count() == settings.ENGAGEMENT_REPORTS_TO_HIDE
    assert "Propos déplacés." not in text_of(client.get(url("idea-detail", idea)))

    moderator = UserFactory(moderator=True)
    client.force_login(moderator)
    page = client.get(url("idea-detail", idea))
    assert f"{QUEUE}?type=idees-commentaires" in text_of(page)
    queue = client.get(QUEUE, {"type": "idees-commentaires"})
    row = next(r for r in queue.context["rows"] if r.pk == comment.pk)
    assert row.n_reports == settings.ENGAGEMENT_REPORTS_TO_HIDE
    assert row.reasons == ["Insultant"]
    # The page's own "show again" restores it.
    client.post(url("idea-comment-moderate", comment), {"action": "restore"})
    comment.refresh_from_db()
    assert comment.status == IdeaComment.Status.VISIBLE
    assert comment.moderated_by == moderator


def test_every_form_of_the_idea_page_carries_its_csrf_token(client, agent_a, lab_staff, idea):
    thread = services.idea_comment_add(idea=idea, by=agent_a, text="Premier.")
    services.idea_comment_add(idea=idea, by=agent_a, text="Réponse.", parent=thread)
    client.force_login(UserFactory(moderator=True))
    page = text_of(client.get(url("idea-detail", idea)))
    forms = page.split('<form method="post"')[1:]
    assert len(forms) >= 6  # follow, hide ×2, reply ×2, comment, support
    assert all("csrfmiddlewaretoken" in form.split("</form>")[0] for form in forms)


def test_following_and_unfollowing_an_idea(client, agent_b, idea):
    client.force_login(agent_b)
    client.post(url("idea-follow", idea), {"action": "follow"})
    client.post(url("idea-follow", idea), {"action": "follow"})  # a double click
    assert is_following(user=agent_b, obj=idea)
    client.post(url("idea-follow", idea), {"action": "unfollow"})
    assert not is_following(user=agent_b, obj=idea)


# --- the idea's page -------------------------------------------------------------------------


def test_the_idea_page_shows_its_history_with_each_reason(client, agent_b, lab_staff, idea):
    services.idea_move(idea=idea, by=lab_staff, to_status="under_review", reason="Examen lancé.")
    follow(user=agent_b, obj=idea)
    client.force_login(agent_b)
    page = client.get(url("idea-detail", idea))
    assert [c.to_status for c in page.context["history"]] == ["submitted", "under_review"]
    assert "Examen lancé." in text_of(page)


def test_the_idea_page_costs_a_fixed_number_of_queries(client, agent_b, idea):
    def add(n: int) -> None:
        for _ in range(n):
            parent = IdeaCommentFactory(idea=idea)
            IdeaCommentFactory(idea=idea, parent=parent)
            IdeaSupport.objects.create(idea=idea, user=UserFactory())
            idea.co_authors.add(UserFactory())

    client.force_login(agent_b)
    assert_flat_query_count(client, url("idea-detail", idea), add, sizes=(2, 12))


def _add_threads(idea: Idea, n: int, replies: int = 1) -> list[IdeaComment]:
    """`n` threads of `idea`, one a minute, the latest last, each with `replies` replies."""
    start = timezone.now() - datetime.timedelta(days=1)
    threads = []
    for k in range(n):
        at = start + datetime.timedelta(minutes=len(threads) + k)
        thread = IdeaCommentFactory(idea=idea, text=f"Fil n°{k}.")
        IdeaComment.objects.filter(pk=thread.pk).update(created_at=at)
        for _ in range(replies):
            IdeaCommentFactory(idea=idea, parent=thread)
        threads.append(thread)
    return threads


def test_an_idea_with_100_comments_shows_its_latest_threads_and_links_to_the_rest(
    client, agent_b, idea
):
    threads = _add_threads(idea, 50)  # 50 threads and 50 replies
    client.force_login(agent_b)
    page = client.get(url("idea-detail", idea))
    shown = list(page.context["threads"])
    assert len(shown) == COMMENT_THREADS
    assert [t.pk for t in shown] == [t.pk for t in reversed(threads)][:COMMENT_THREADS]
    assert all(len(t.replies.all()) == 1 for t in shown)  # a thread comes with its replies
    html = text_of(page)
    assert "100 commentaires" in html
    assert len(re.findall(r'id="commentaire-\d+"', html)) == 2 * COMMENT_THREADS
    assert "Voir les commentaires précédents" in html
    assert f"{url('idea-detail', idea)}?page=2" in html
    assert "Fil n°0." not in html

    older = client.get(url("idea-detail", idea), {"page": 2})  # the link, without JavaScript
    assert [t.pk for t in older.context["threads"]] == [t.pk for t in reversed(threads)][30:]
    assert "Fil n°0." in text_of(older)
    assert "Voir les commentaires précédents" not in text_of(older)
    assert "Revenir aux commentaires les plus récents" in text_of(older)

    part = client.get(url("idea-detail", idea), {"page": 2}, headers={"HX-Request": "true"})
    assert "Fil n°0." in text_of(part)
    assert "<h1" not in text_of(part)  # only the part, swapped for the link
    assert 'id="partie-commentaires-2"' in text_of(part)


def test_a_reply_to_an_old_thread_leads_back_to_the_part_holding_it(client, agent_b, idea):
    oldest = _add_threads(idea, COMMENT_THREADS + 5, replies=0)[0]
    client.force_login(agent_b)
    response = client.post(
        url("idea-comment", idea),
        {"commentaire-text": "Toujours vrai.", "commentaire-parent": oldest.pk},
    )
    reply = IdeaComment.objects.get(parent=oldest)
    assert response["Location"] == f"{url('idea-detail', idea)}?page=2#commentaire-{reply.pk}"
    assert f'id="commentaire-{reply.pk}"' in text_of(client.get(response["Location"]))


def test_the_idea_page_costs_the_same_queries_with_one_part_of_comments_or_several(
    client, agent_b, idea
):
    client.force_login(agent_b)
    assert_flat_query_count(
        client, url("idea-detail", idea), lambda n: _add_threads(idea, n), sizes=(3, 70)
    )


def test_the_most_supported_sort_pages_through_ideas_by_their_support_count(client, agent_a):
    ideas = IdeaFactory.create_batch(25)
    for k, idea in enumerate(ideas):  # idea k has k supports
        IdeaSupport.objects.bulk_create(
            IdeaSupport(idea=idea, user=user) for user in UserFactory.create_batch(k)
        )
    client.force_login(agent_a)
    first = client.get(LIST, {"tri": "supports"})
    second = client.get(LIST, {"tri": "supports", "page": 2})
    assert [i.n_supports for i in first.context["ideas"]] == list(range(24, 4, -1))
    assert [i.n_supports for i in second.context["ideas"]] == [4, 3, 2, 1, 0]
    assert first.context["paginator"].count == 25
    assert [i.title for i in client.get(LIST, {"tri": "title"}).context["ideas"]] == sorted(
        i.title for i in ideas
    )[:20]


# --- query counts of the lists ---------------------------------------------------------------


@pytest.fixture
def add_ideas(agent_a, caf_b):
    themes = list(Theme.objects.all()[:3])
    authors = [agent_a, UserFactory(caf=caf_b)]

    def add(n: int) -> None:
        for k in range(n):
            idea = IdeaFactory(author=authors[k % 2], caf=authors[k % 2].caf)
            idea.themes.set(themes[: 1 + k % 3])
            IdeaSupport.objects.create(idea=idea, user=authors[(k + 1) % 2])
            IdeaCommentFactory(idea=idea, author=authors[k % 2])

    return add


# Session, user (with their Caf), the header's unread count, the sub-navigation's permissions
# (Django's ModelBackend loads the empty permissions of an agent once: 2), the page count, the
# ideas and their themes; the list's filters add their Theme and Caf choices.
@pytest.mark.parametrize(
    ("page", "expected"),
    [
        (LIST, 10),
        (f"{LIST}?q=courriers&theme=&caf=38&status=submitted&source=box&tri=supports", 10),
        (MINE, 8),
    ],
)
def test_the_idea_box_costs_a_fixed_number_of_queries(client, agent_a, add_ideas, page, expected):
    client.force_login(agent_a)
    assert_flat_query_count(client, page, add_ideas, sizes=(3, 30), expected=expected)
