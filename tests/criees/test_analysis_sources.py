"""The comments on a criée's initiatives as texts to analyse (criees.analysis_sources, a source
registered in the core's registry): the shown comments of the programme's initiatives are
copied with the commenter's Caf, never quotable (signed, read inside the network only), their
personal data masked; the lab starts the analysis from the criée's page, anyone else gets 404
and sees no button."""

import pytest
from django.urls import reverse

from analysis.models import Analysis, AnalysisText, SourceKind
from analysis.results import build_results
from analysis.services import analysis_create_for, code_create, codes_apply_bulk
from analysis.sources import get_source
from caflab.engagement.models import CommentStatus
from criees.analysis_sources import COMMENTS
from criees.models import Pitch
from tests.criees.factories import CommentFactory, CrieeFactory, InitiativeFactory, PitchFactory

pytestmark = pytest.mark.django_db

SHOWN = "Nous voudrions reprendre l’accueil sans rendez-vous dans notre Caf."
HIDDEN = "Texte masqué par la modération."
# A realistic phone number and NIR (key 97 - (n mod 97)).
PERSONAL = "Rappelez-moi au 06 12 34 56 78, mon NIR est 2 84 05 75 112 334 39."


@pytest.fixture
def criee(agent_b, lab_staff, caf_a):
    criee = CrieeFactory(title="Criée de l’accueil")
    on_programme = InitiativeFactory(caf=caf_a, title="Accueil sans rendez-vous")
    PitchFactory(criee=criee, initiative=on_programme)
    comment = CommentFactory(initiative=on_programme, author=agent_b, text=SHOWN)
    CommentFactory(initiative=on_programme, author=lab_staff, parent=comment, text="Avec plaisir !")
    CommentFactory(initiative=on_programme, author=lab_staff, text=PERSONAL)
    for status in (CommentStatus.HIDDEN, CommentStatus.REPORTED, CommentStatus.PENDING):
        CommentFactory(initiative=on_programme, author=agent_b, text=HIDDEN, status=status)
    # Proposed but not on the programme: its comments are not the criée's.
    proposed = InitiativeFactory(caf=caf_a, title="Proposée seulement")
    PitchFactory(criee=criee, initiative=proposed, status=Pitch.Status.PROPOSED, position=None)
    CommentFactory(initiative=proposed, author=agent_b, text="Pas au programme.")
    return criee


def start_url(criee) -> str:
    return reverse("analysis:source-start", kwargs={"source": COMMENTS, "pk": criee.pk})


def test_the_shown_comments_of_the_programme_become_texts_with_the_commenters_caf(
    criee, lab_staff, caf_b
):
    analysis = analysis_create_for(source=get_source(COMMENTS), subject=criee, by=lab_staff)

    assert analysis.title == "Commentaires – Criée de l’accueil"
    texts = {t.text: t for t in AnalysisText.objects.filter(analysis=analysis)}
    assert set(texts) == {SHOWN, "Avec plaisir !", PERSONAL}  # hidden and off-programme left out
    assert all(t.source_kind == SourceKind.COMMENT for t in texts.values())
    assert texts[SHOWN].caf == caf_b
    assert texts["Avec plaisir !"].caf is None  # the lab has no Caf


def test_comments_are_never_quotable_and_never_quoted_in_the_results(criee, lab_staff):
    analysis = analysis_create_for(source=get_source(COMMENTS), subject=criee, by=lab_staff)
    assert not analysis.texts.filter(is_quotable=True).exists()

    code = code_create(analysis=analysis, label="Envie de reprendre")
    codes_apply_bulk(code=code, texts=analysis.texts.all(), by=lab_staff)
    (row,) = build_results(analysis, "caf").rows
    assert row.count == 3
    assert row.quotes == []


def test_personal_data_in_a_comment_are_masked(criee, lab_staff):
    analysis = analysis_create_for(source=get_source(COMMENTS), subject=criee, by=lab_staff)

    text = analysis.texts.get(text=PERSONAL)
    assert text.has_personal_data
    assert "06 12 34 56 78" not in text.masked_text
    assert "2 84 05 75 112 334 39" not in text.masked_text


def test_the_lab_starts_the_analysis_from_the_criees_page(client, criee, lab_staff):
    client.force_login(lab_staff)
    page = client.get(criee.get_absolute_url()).content.decode()
    assert start_url(criee) in page
    assert "Analyser les commentaires" in page

    assert "3 textes à analyser" in client.get(start_url(criee)).content.decode()
    response = client.post(start_url(criee))
    analysis = Analysis.objects.get(source=COMMENTS, subject_id=criee.pk)
    assert response.url == analysis.get_absolute_url()
    assert analysis.n_texts == 3
    coding = client.get(reverse("analysis:coding", kwargs={"pk": analysis.pk})).content.decode()
    assert "Nous voudrions reprendre" in coding
    assert criee.get_absolute_url() in coding  # the breadcrumbs lead back to the criée
    assert client.get(start_url(criee)).url == analysis.get_absolute_url()


@pytest.mark.parametrize("persona", ["correspondent_a", "agent_a", "agent_b", "citizen"])
def test_others_see_no_button_and_get_404(client, request, persona, criee, lab_staff):
    analysis = analysis_create_for(source=get_source(COMMENTS), subject=criee, by=lab_staff)
    client.force_login(request.getfixturevalue(persona))
    page = client.get(criee.get_absolute_url())
    assert start_url(criee) not in page.content.decode()
    assert client.get(start_url(criee)).status_code == 404
    assert client.post(start_url(criee)).status_code == 404
    assert not Analysis.objects.exclude(pk=analysis.pk).exists()
    assert client.get(analysis.get_absolute_url()).status_code == 404
    assert client.get(reverse("analysis:coding", kwargs={"pk": analysis.pk})).status_code == 404


def test_a_comment_written_since_is_added_when_the_texts_are_copied_again(criee, lab_staff):
    from analysis.services import texts_request

    analysis = analysis_create_for(source=get_source(COMMENTS), subject=criee, by=lab_staff)
    initiative = criee.pitches.get(status=Pitch.Status.SCHEDULED).initiative
    CommentFactory(initiative=initiative, author=lab_staff, text="Un nouveau commentaire.")
    texts_request(analysis=analysis)
    analysis.refresh_from_db()
    assert analysis.n_texts == 4
