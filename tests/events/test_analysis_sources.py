"""A programme's event syntheses as texts to analyse (events.analysis_sources, a source
registered in the core's registry): the syntheses and proposals of the programme's events
(drafts and other programmes left out) are copied with the organising Caf, quotable (written by
the organisers, quoting nobody), their personal data masked; the lab starts the analysis from
the programme's page, anyone else gets 404 and sees no button."""

import pytest
from django.urls import reverse

from analysis.models import Analysis, AnalysisText, SourceKind
from analysis.results import build_results
from analysis.services import analysis_create_for, code_create, codes_apply_bulk
from analysis.sources import get_source
from caflab.network.models import Programme
from events.analysis_sources import SYNTHESES
from events.models import DebateProposal, Event
from tests.events.factories import EventFactory

pytestmark = pytest.mark.django_db

DEBATE = "Les agents demandent un numéro unique et des courriers plus courts."
WORKSHOP = "Le prototype de courrier a été testé ; écrire à jean.dupont@example.org pour le lire."


@pytest.fixture
def programme(caf_a, lab_staff) -> Programme:
    programme = Programme.objects.get(slug="transition-ecologique")
    debate = EventFactory(kind=Event.Kind.DEBATE, programme=programme, caf=caf_a, synthesis=DEBATE)
    EventFactory(kind=Event.Kind.WORKSHOP, programme=programme, synthesis=WORKSHOP)
    EventFactory(programme=programme, synthesis="")  # no synthesis yet
    EventFactory(programme=programme, status=Event.Status.DRAFT, synthesis="Brouillon.")
    EventFactory(synthesis="Un autre programme.")
    DebateProposal.objects.create(event=debate, text="Un numéro unique.", created_by=lab_staff)
    return programme


def start_url(programme) -> str:
    return reverse("analysis:source-start", kwargs={"source": SYNTHESES, "pk": programme.pk})


def page_url(programme) -> str:
    return reverse("projects:programme-detail", kwargs={"slug": programme.slug})


def test_the_syntheses_and_proposals_of_the_programmes_events_become_texts(
    programme, lab_staff, caf_a
):
    analysis = analysis_create_for(source=get_source(SYNTHESES), subject=programme, by=lab_staff)

    assert analysis.title == f"Synthèses – {programme.name}"
    texts = {t.text: t for t in AnalysisText.objects.filter(analysis=analysis)}
    assert set(texts) == {DEBATE, WORKSHOP, "Un numéro unique."}
    assert texts[DEBATE].source_kind == SourceKind.SYNTHESIS
    assert texts["Un numéro unique."].source_kind == SourceKind.PROPOSAL
    assert texts[DEBATE].caf == caf_a
    assert texts["Un numéro unique."].caf == caf_a  # the event's Caf
    assert texts[WORKSHOP].caf is None  # a national event


def test_syntheses_are_quotable_and_quoted_masked(programme, lab_staff):
    analysis = analysis_create_for(source=get_source(SYNTHESES), subject=programme, by=lab_staff)
    assert analysis.texts.filter(is_quotable=True).count() == 3

    code = code_create(analysis=analysis, label="Courriers")
    codes_apply_bulk(code=code, texts=analysis.texts.filter(text=WORKSHOP), by=lab_staff)
    (row,) = build_results(analysis, "caf").rows
    (quote,) = row.quotes
    assert quote.startswith("Le prototype de courrier")
    assert "jean.dupont@example.org" not in quote


def test_the_lab_starts_the_analysis_from_the_programmes_page(client, programme, lab_staff):
    client.force_login(lab_staff)
    page = client.get(page_url(programme)).content.decode()
    assert start_url(programme) in page
    assert "Analyser les synthèses" in page

    assert "3 textes à analyser" in client.get(start_url(programme)).content.decode()
    response = client.post(start_url(programme))
    analysis = Analysis.objects.get(source=SYNTHESES, subject_id=programme.pk)
    assert response.url == analysis.get_absolute_url()
    detail = client.get(response.url).content.decode()
    assert page_url(programme) in detail  # the breadcrumbs lead back to the programme


@pytest.mark.parametrize("persona", ["correspondent_a", "agent_a", "agent_b"])
def test_others_see_no_button_and_get_404(client, request, persona, programme, lab_staff):
    analysis = analysis_create_for(source=get_source(SYNTHESES), subject=programme, by=lab_staff)
    client.force_login(request.getfixturevalue(persona))
    page = client.get(page_url(programme))
    assert page.status_code == 200
    assert start_url(programme) not in page.content.decode()
    assert client.get(start_url(programme)).status_code == 404
    assert client.post(start_url(programme)).status_code == 404
    assert client.get(analysis.get_absolute_url()).status_code == 404
