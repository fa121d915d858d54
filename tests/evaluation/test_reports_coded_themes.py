"""The impact report's "Ce que disent les témoignages et les enquêtes": the coded themes of the
analyses of the project's testimonies and surveys (analysis of texts), with counts and shares,
codes given to fewer than 5 texts masked, quotes only from testimonies whose author consented,
personal data masked in the PDF; a sentence when no analysis exists."""

import pytest

from analysis.models import AnalysisText
from analysis.services import analysis_create_for, code_create, codes_apply_bulk
from analysis.sources import get_source
from evaluation.analysis_sources import TESTIMONIES
from evaluation.services.reports import report_request
from evaluation.snapshot import project_snapshot
from tests.evaluation.factories import TestimonyFactory as testimony_factory
from tests.evaluation.factories import evaluated_project
from tests.evaluation.test_reports import pdf_text

pytestmark = pytest.mark.django_db

HEADING = "Ce que disent les témoignages et les enquêtes"
PHONE = "06 12 34 56 78"
NIR_BODY = "1850578006084"
NIR = f"1 85 05 78 006 084 {97 - int(NIR_BODY) % 97:02d}"

# Created first (lowest ids): were consent ignored, they would be the quotes.
REFUSED = [
    "Mon voisin Zorglub a eu peur du rendez-vous au début.",
    "Un second témoin, Zorglub aussi, trouve l’accueil trop long.",
    "Une troisième personne nommée Zorglub parle de ses dettes.",
]
CONSENTED = [
    f"Le rendez-vous était clair, rappelez-moi au {PHONE} ou NIR {NIR}.",
    "La conseillère a pris le temps d’expliquer chaque aide possible.",
    "Nous avons enfin ouvert nos droits au complément familial.",
    "Le rappel avant la naissance nous a évité des semaines d’attente.",
]


@pytest.fixture
def project(db):
    project = evaluated_project()
    for text in REFUSED:
        testimony_factory(project=project, text=text, consent_to_quote=False)
    for text in CONSENTED:
        testimony_factory(project=project, text=text, consent_to_quote=True)
    return project


@pytest.fixture
def coded(project):
    """The testimonies' analysis: "Accueil" on the seven texts above, "Délais" on two."""
    analysis = analysis_create_for(source=get_source(TESTIMONIES), subject=project, by=project.lead)
    welcome = code_create(analysis=analysis, label="Accueil")
    delays = code_create(analysis=analysis, label="Délais")
    texts = AnalysisText.objects.filter(analysis=analysis)
    codes_apply_bulk(
        code=welcome, texts=texts.filter(text__in=REFUSED + CONSENTED), by=project.lead
    )
    codes_apply_bulk(code=delays, texts=texts.filter(text__in=CONSENTED[2:]), by=project.lead)
    return analysis


def test_the_snapshot_holds_counts_shares_and_consented_masked_quotes(coded, project):
    (summary,) = project_snapshot(project)["coded_themes"]
    assert summary["source"] == "testimonies"
    assert summary["n_texts"] == 9  # the two testimonies of the evaluated project, and seven
    welcome, delays = summary["codes"]
    assert (welcome["label"], welcome["count"], welcome["share"]) == ("Accueil", 7, "77,8 %")
    assert len(welcome["quotes"]) == 3
    quotes = " ".join(welcome["quotes"])
    assert "Zorglub" not in quotes  # no quote from a testimony without consent
    assert PHONE not in quotes
    assert NIR not in quotes
    assert "[téléphone masqué]" in quotes
    assert "[NIR masqué]" in quotes
    # Fewer than 5 texts: neither count, share nor quote.
    assert (delays["label"], delays["count"], delays["share"], delays["quotes"]) == (
        "Délais",
        None,
        "",
        [],
    )


def test_the_pdf_has_the_section_with_personal_data_masked(
    coded, project, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        report = report_request(project=project, by=project.lead)
    report.refresh_from_db()
    text = pdf_text(report)
    assert HEADING in text
    assert "Accueil" in text
    assert "77,8 %" in text
    assert "moins de 5" in text  # "Délais"
    assert "Le rendez-vous était clair" in text
    assert "[téléphone masqué]" in text
    assert PHONE not in text
    assert PHONE.replace(" ", "") not in text
    assert NIR not in text
    assert NIR_BODY not in text
    assert "Zorglub" not in text


def test_without_a_coded_analysis_the_section_says_so(project):
    from evaluation.reporting import render_report_html

    snapshot = project_snapshot(project)
    assert snapshot["coded_themes"] == []
    html = render_report_html(snapshot)
    assert HEADING in html
    assert "Aucune analyse codée des témoignages ou des enquêtes" in html


def test_a_snapshot_taken_before_the_section_renders_without_it(project):
    from evaluation.reporting import render_report_html

    snapshot = project_snapshot(project)
    del snapshot["coded_themes"]
    assert HEADING not in render_report_html(snapshot)
