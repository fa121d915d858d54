"""One initiative's pages and actions, per persona: describe, edit, validate, upload, support,
comment and moderate, declare interest, promote."""

from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape

from caflab.network.models import Theme
from criees.models import (
    Comment,
    Initiative,
    InitiativeFile,
    InitiativeImage,
    InitiativeMember,
    InterestDeclaration,
    Support,
)
from criees.uploads import MAX_UPLOAD_BYTES
from projects.models import Deployment, Project, Stage
from tests.accounts.factories import UserFactory
from tests.core.test_security import inline_code_in
from tests.criees.factories import CommentFactory, InitiativeFactory, InterestFactory

pytestmark = pytest.mark.django_db

Status = Initiative.Status
PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF\n"
# A real 1×1 transparent PNG: images are decoded and re-encoded on upload (Pillow).
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c"
    "6360606060000000050001a5f645400000000049454e44ae426082"
)


def url(name: str, initiative) -> str:
    return reverse(f"criees:{name}", kwargs={"pk": initiative.pk})


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


@pytest.fixture
def draft(agent_a, caf_a):
    return InitiativeFactory(title="Brouillon", caf=caf_a, created_by=agent_a, status=Status.DRAFT)


# --- describe and edit -------------------------------------------------------------------------


def test_an_agent_describes_an_initiative_of_their_caf_with_a_team(client, agent_a, caf_a):
    colleague = UserFactory(email="collegue@caf38.example", caf=caf_a)
    client.force_login(agent_a)
    response = client.post(
        reverse("criees:create"),
        {
            "title": "Permanences en mairie",
            "summary": "Une permanence mensuelle.",
            "problem": "Les familles sont loin.",
            "actions": "Douze mairies.",
            "themes": [Theme.objects.get(slug="acces-aux-droits").pk],
            "team_emails": "Collegue@caf38.example\n",
        },
    )
    initiative = Initiative.objects.get()
    assert response.status_code == 302
    assert response["Location"] == initiative.get_absolute_url()
    assert (initiative.caf, initiative.status) == (caf_a, Status.DRAFT)
    members = dict(initiative.members.values_list("user", "role"))
    assert members == {agent_a.pk: "lead", colleague.pk: "member"}


def test_an_unknown_team_address_is_an_error_in_the_form(client, agent_a):
    client.force_login(agent_a)
    response = client.post(
        reverse("criees:create"),
        {"title": "T", "summary": "s", "problem": "p", "actions": "a", "team_emails": "x@y.fr"},
    )
    assert response.status_code == 200
    assert "x@y.fr" in response.content.decode()
    assert not Initiative.objects.exists()


def test_the_lab_chooses_the_caf_the_others_cannot(client, lab_staff, agent_a, caf_b):
    client.force_login(lab_staff)
    assert "caf" in client.get(reverse("criees:create")).context["form"].fields
    client.force_login(agent_a)
    assert "caf" not in client.get(reverse("criees:create")).context["form"].fields


def test_an_agent_of_caf_b_gets_404_on_caf_as_draft_and_403_on_its_published_one(
    client, agent_b, draft, initiative
):
    client.force_login(agent_b)
    assert client.get(url("initiative", draft)).status_code == 404
    assert client.get(url("initiative-update", draft)).status_code == 404
    assert client.get(url("initiative-update", initiative)).status_code == 403
    assert client.post(url("initiative-update", initiative), {"title": "x"}).status_code == 403


def test_the_team_edits_until_publication_the_correspondent_always(
    client, agent_a, correspondent_a, draft, initiative
):
    client.force_login(agent_a)
    assert client.get(url("initiative-update", draft)).status_code == 200
    assert client.get(url("initiative-update", initiative)).status_code == 403
    client.force_login(correspondent_a)
    assert client.get(url("initiative-update", initiative)).status_code == 200


def test_citizens_get_403_even_on_a_published_initiative(client, citizen, initiative):
    client.force_login(citizen)
    assert client.get(url("initiative", initiative)).status_code == 403


# --- validation --------------------------------------------------------------------------------


def test_submit_then_publish_through_the_pages(client, agent_a, correspondent_a, draft):
    client.force_login(agent_a)
    client.post(url("initiative-submit", draft))
    draft.refresh_from_db()
    assert draft.status == Status.SUBMITTED
    client.force_login(correspondent_a)
    page = client.get(url("initiative", draft))
    assert page.context["review_form"] is not None
    client.post(url("initiative-review", draft), {"validation-decision": "publish"})
    draft.refresh_from_db()
    assert draft.status == Status.PUBLISHED


def test_returning_without_comment_shows_the_error_on_the_page(client, correspondent_a, caf_a):
    submitted = InitiativeFactory(caf=caf_a, status=Status.SUBMITTED)
    client.force_login(correspondent_a)
    response = client.post(url("initiative-review", submitted), {"validation-decision": "return"})
    assert response.status_code == 200
    assert escape("Dites à l’équipe ce qu’il faut reprendre.") in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED


def test_a_second_validation_is_a_message_not_an_error(client, correspondent_a, lab_staff, caf_a):
    submitted = InitiativeFactory(caf=caf_a, status=Status.SUBMITTED)
    client.force_login(correspondent_a)
    client.post(url("initiative-review", submitted), {"validation-decision": "publish"})
    client.force_login(lab_staff)
    response = client.post(
        url("initiative-review", submitted),
        {"validation-decision": "return", "validation-comment": "Non"},
        follow=True,
    )
    assert response.status_code == 200
    assert "Cette initiative a déjà été validée ou renvoyée." in messages_of(response)


def test_the_team_cannot_validate_its_own_initiative(client, agent_a, caf_a):
    submitted = InitiativeFactory(caf=caf_a, created_by=agent_a, status=Status.SUBMITTED)
    client.force_login(agent_a)
    response = client.post(url("initiative-review", submitted), {"validation-decision": "publish"})
    assert response.status_code == 403


# --- files and images --------------------------------------------------------------------------


def upload(client, initiative, kind: str, name: str, content: bytes, **extra):
    field = "fichier-file" if kind == "file-add" else "image-file"
    data = {field: SimpleUploadedFile(name, content), **extra}
    return client.post(url(kind, initiative), data)


def test_a_pdf_is_stored_outside_media_and_served_as_a_download(client, agent_a, draft):
    client.force_login(agent_a)
    response = upload(client, draft, "file-add", "Bilan 2025.pdf", PDF)
    assert response.status_code == 302
    stored = InitiativeFile.objects.get()
    path = Path(stored.file.path)
    assert not path.is_relative_to(Path(settings.MEDIA_ROOT))
    assert path.is_relative_to(Path(settings.PRIVATE_MEDIA_ROOT))
    assert "Bilan" not in path.name  # a random name on disk
    download = client.get(reverse("criees:file", kwargs={"pk": stored.pk}))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("attachment;")
    assert b"".join(download.streaming_content) == PDF


@pytest.mark.parametrize(
    ("name", "content", "error"),
    [
        ("outil.exe", b"MZ\x90\x00", "n’est pas accepté"),
        ("faux.pdf", b"MZ\x90\x00 not a pdf", "ne correspond pas"),
        ("vide.pdf", b"", "vide"),
        ("archive.docx", b"PK\x03\x04 not a real zip", "ne correspond pas"),
    ],
)
def test_unsafe_or_disguised_files_are_refused(client, agent_a, draft, name, content, error):
    client.force_login(agent_a)
    response = upload(client, draft, "file-add", name, content)
    assert response.status_code == 200
    assert escape(error) in response.content.decode()
    assert not InitiativeFile.objects.exists()


def test_a_file_over_the_size_limit_is_refused(client, agent_a, draft):
    client.force_login(agent_a)
    response = upload(client, draft, "file-add", "gros.pdf", PDF + b"0" * MAX_UPLOAD_BYTES)
    assert "taille maximale" in response.content.decode()
    assert not InitiativeFile.objects.exists()


def test_an_image_needs_its_alternative_text_and_is_shown_with_it(client, agent_a, draft):
    client.force_login(agent_a)
    response = upload(client, draft, "image-add", "accueil.png", PNG)
    assert response.status_code == 200
    assert not InitiativeImage.objects.exists()
    upload(client, draft, "image-add", "accueil.png", PNG, **{"image-alt_text": "L'accueil"})
    image = InitiativeImage.objects.get()
    html = client.get(url("initiative", draft)).content.decode()
    src = reverse("criees:image", kwargs={"pk": image.pk})
    assert f'src="{src}" alt="L&#x27;accueil"' in html
    assert client.get(src)["Content-Type"] == "image/png"


def test_an_svg_is_not_an_accepted_image(client, agent_a, draft):
    client.force_login(agent_a)
    upload(client, draft, "image-add", "x.svg", b"<svg onload=alert(1)>", **{"image-alt_text": "x"})
    assert not InitiativeImage.objects.exists()


def test_files_of_a_draft_are_404_outside_its_caf(client, agent_a, agent_b, draft, citizen):
    client.force_login(agent_a)
    upload(client, draft, "file-add", "note.pdf", PDF)
    file_url = reverse("criees:file", kwargs={"pk": InitiativeFile.objects.get().pk})
    client.force_login(agent_b)
    assert client.get(file_url).status_code == 404
    client.force_login(citizen)
    assert client.get(file_url).status_code == 403
    client.logout()
    assert client.get(file_url).status_code == 302


def test_deleting_a_file_removes_it_from_disk(
    client, agent_a, draft, django_capture_on_commit_callbacks
):
    client.force_login(agent_a)
    upload(client, draft, "file-add", "note.pdf", PDF)
    stored = InitiativeFile.objects.get()
    path = Path(stored.file.path)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("criees:file-delete", kwargs={"pk": stored.pk}))
    assert not InitiativeFile.objects.exists()
    assert not path.exists()


# --- support, follow, comments -----------------------------------------------------------------


def test_supporting_twice_says_already_done(client, agent_b, initiative):
    client.force_login(agent_b)
    client.post(url("support", initiative), {"action": "support"})
    response = client.post(url("support", initiative), {"action": "support"}, follow=True)
    assert "Vous soutenez déjà cette initiative." in messages_of(response)
    assert Support.objects.count() == 1


def test_the_team_does_not_support_its_own_initiative(client, agent_a, initiative):
    client.force_login(agent_a)
    assert client.post(url("support", initiative), {"action": "support"}).status_code == 403


def test_a_reply_is_shown_in_its_thread(client, agent_b, agent_a, initiative):
    root = CommentFactory(initiative=initiative, author=agent_b, text="Combien d'agents ?")
    client.force_login(agent_a)
    client.post(
        url("comment-add", initiative),
        {"commentaire-text": "Deux agents.", "commentaire-parent": root.pk},
    )
    reply = Comment.objects.get(parent=root)
    response = client.get(url("initiative", initiative))
    (thread,) = response.context["comments"]
    assert thread.thread == [reply]
    assert inline_code_in(response.content.decode()) == []


def test_a_reported_comment_is_hidden_until_a_moderator_restores_it(
    client, initiative, moderator, agent_b
):
    comment = CommentFactory(initiative=initiative, text="Propos déplacés")
    for _ in range(settings.ENGAGEMENT_REPORTS_TO_HIDE):
        client.force_login(UserFactory())
        client.post(reverse("criees:comment-report", kwargs={"pk": comment.pk}), {"reason": "x"})
    client.force_login(agent_b)
    assert "Propos déplacés" not in client.get(url("initiative", initiative)).content.decode()
    client.force_login(moderator)
    # The criées' moderation link opens the one queue, filtered to initiatives' comments.
    queue = client.get(reverse("criees:moderation"), follow=True)
    assert [row.pk for row in queue.context["rows"]] == [comment.pk]
    client.post(
        reverse("criees:comment-moderate", kwargs={"pk": comment.pk}), {"action": "restore"}
    )
    client.force_login(agent_b)
    assert "Propos déplacés" in client.get(url("initiative", initiative)).content.decode()


def test_agents_cannot_moderate(client, agent_b, initiative):
    comment = CommentFactory(initiative=initiative)
    client.force_login(agent_b)
    response = client.post(
        reverse("criees:comment-moderate", kwargs={"pk": comment.pk}), {"action": "hide"}
    )
    assert response.status_code == 403


# --- interest ----------------------------------------------------------------------------------


def test_an_agent_declares_for_their_caf_but_not_replicate(client, agent_b, caf_b, initiative):
    client.force_login(agent_b)
    page = client.get(url("initiative", initiative))
    choices = [value for value, _label in page.context["interest_form"].fields["level"].choices]
    assert choices == ["curious", "contact"]
    client.post(url("declare-interest", initiative), {"interet-level": "contact"})
    assert InterestDeclaration.objects.get().caf == caf_b
    forged = client.post(url("declare-interest", initiative), {"interet-level": "replicate"})
    assert forged.status_code == 403
    assert InterestDeclaration.objects.get().level == "contact"


def test_the_correspondent_raises_it_to_replicate_keeping_the_contact(
    client, agent_b, correspondent_b, initiative
):
    client.force_login(agent_b)
    client.post(
        url("declare-interest", initiative),
        {"interet-level": "contact", "interet-comment": "Appelez Paul"},
    )
    client.force_login(correspondent_b)
    client.post(url("declare-interest", initiative), {"interet-level": "replicate", "rapide": "1"})
    interest = InterestDeclaration.objects.get()
    assert (interest.level, interest.contact_person, interest.comment) == (
        "replicate",
        agent_b,
        "Appelez Paul",
    )
    client.force_login(agent_b)
    page = client.get(url("initiative", initiative))
    assert page.context["interest_locked"] is True
    assert page.context["interest_form"] is None


def test_a_caf_does_not_declare_for_its_own_initiative(client, agent_a, initiative):
    client.force_login(agent_a)
    response = client.post(url("declare-interest", initiative), {"interet-level": "curious"})
    assert response.status_code == 403


def test_the_lab_declares_for_a_caf_it_chooses(client, lab_staff, caf_b, initiative):
    client.force_login(lab_staff)
    client.post(
        url("declare-interest", initiative),
        {"interet-level": "replicate", "interet-caf": caf_b.pk},
    )
    assert InterestDeclaration.objects.get().caf == caf_b


# --- promotion ---------------------------------------------------------------------------------


def test_the_lab_promotes_and_the_page_shows_the_project_and_where_it_runs(
    client, lab_staff, agent_a, agent_b, caf_b, correspondent_b, initiative
):
    InterestFactory(
        initiative=initiative, caf=caf_b, level="replicate", declared_by=correspondent_b
    )
    client.force_login(lab_staff)
    page = client.get(url("promote", initiative))
    assert [i.caf for i in page.context["replicate"]] == [caf_b]
    response = client.post(
        url("promote", initiative), {"title": initiative.title, "lead": agent_a.pk}
    )
    project = Project.objects.get()
    assert response["Location"] == project.get_absolute_url()
    assert project.stage == Stage.ESSAIMAGE
    assert Deployment.objects.get(project=project).caf == caf_b
    client.force_login(agent_b)
    html = client.get(url("initiative", initiative)).content.decode()
    assert project.code in html
    assert "Essaimage" in html
    assert caf_b.name in html
    client.force_login(lab_staff)
    again = client.get(url("promote", initiative))
    assert again.status_code == 302


def test_only_the_lab_promotes(client, correspondent_a, initiative):
    client.force_login(correspondent_a)
    assert client.get(url("promote", initiative)).status_code == 403


def test_the_team_lead_is_the_default_project_lead(client, lab_staff, agent_a, initiative):
    InitiativeMember.objects.create(initiative=initiative, user=UserFactory(), role="member")
    client.force_login(lab_staff)
    form = client.get(url("promote", initiative)).context["form"]
    assert form.fields["lead"].initial == agent_a.pk


class PostFormFinder(HTMLParser):
    """Counts the POST forms of a page and those that carry a CSRF token."""

    def __init__(self) -> None:
        super().__init__()
        self.forms = 0
        self.with_token = 0
        self._in_post_form = False
        self._has_token = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "form" and (values.get("method") or "").lower() == "post":
            self._in_post_form, self._has_token = True, False
        elif tag == "input" and self._in_post_form and values.get("name") == "csrfmiddlewaretoken":
            self._has_token = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self._in_post_form:
            self.forms += 1
            self.with_token += self._has_token
            self._in_post_form = False


def test_every_post_form_carries_its_csrf_token(client, moderator, agent_b, initiative, criee):
    """Forms inside `{% include … only %}` must be given the token explicitly."""
    from tests.criees.factories import PitchFactory

    root = CommentFactory(initiative=initiative)
    CommentFactory(initiative=initiative, parent=root)
    CommentFactory(initiative=initiative, status=Comment.Status.REPORTED)
    PitchFactory(criee=criee, initiative=initiative)
    pages = [
        (moderator, url("initiative", initiative)),
        (moderator, reverse("engagement:queue")),
        (agent_b, url("initiative", initiative)),
        (agent_b, reverse("criees:live", kwargs={"pk": criee.pk})),
    ]
    for user, page in pages:
        client.force_login(user)
        finder = PostFormFinder()
        finder.feed(client.get(page).content.decode())
        assert finder.forms > 1, page
        assert finder.with_token == finder.forms, page
