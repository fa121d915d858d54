"""Results: counts and shares per code and sub-code, a theme counting a text once, by segment
with the small-group rule, only confirmed codes, quotes masked and from quotable texts."""

import pytest
from django.utils import timezone

from analysis.models import CodeAssignment
from analysis.results import build_results
from analysis.services import analysis_create, code_create
from ecoute.models import Audience
from tests.analysis.factories import answer_texts, open_question
from tests.ecoute.factories import ConsultationFactory

pytestmark = pytest.mark.django_db


def assign(code, texts, *, suggested=False):
    CodeAssignment.objects.bulk_create(
        CodeAssignment(text=t, code=code, is_suggested=suggested, assigned_at=timezone.now())
        for t in texts
    )


@pytest.fixture
def analysis(lab_staff):
    consultation = ConsultationFactory()
    question = open_question(consultation)
    answer_texts(question, [f"Usager {n}, tél 06 12 34 56 7{n}" for n in range(8)])
    answer_texts(question, [f"Agent {n}" for n in range(3)], audience=Audience.AGENT)
    answer_texts(question, ["Nommé"], anonymous=False)
    return analysis_create(consultation=consultation, by=lab_staff)


def test_counts_shares_and_the_small_group_rule(analysis):
    theme = code_create(analysis=analysis, label="Accueil")
    sub_a = code_create(analysis=analysis, label="Attente", parent=theme)
    sub_b = code_create(analysis=analysis, label="Horaires", parent=theme)
    citizens = list(analysis.texts.filter(audience=Audience.CITIZEN).order_by("pk"))
    agents = list(analysis.texts.filter(audience=Audience.AGENT))
    assign(sub_a, citizens[:4] + agents[:1])
    assign(sub_b, citizens[2:6])  # two texts have both sub-themes: the theme counts them once
    assign(sub_b, citizens[6:8], suggested=True)  # not confirmed: not counted

    results = build_results(analysis, "audience")

    assert results.total == 12
    rows = {row.code.label: row for row in results.rows}
    assert [r.code.label for r in results.rows] == ["Accueil", "Attente", "Horaires"]
    assert rows["Accueil"].count == 7
    assert rows["Attente"].count == 5
    assert rows["Horaires"].count == 4
    assert rows["Accueil"].share == "58,3 %"
    columns = {c.key: c for c in results.columns}
    assert columns["citizen"].size == 9
    assert not columns["citizen"].is_masked
    assert columns["agent"].size == 3
    assert columns["agent"].is_masked
    cells = dict(zip([c.key for c in results.columns], rows["Accueil"].cells, strict=True))
    assert cells["citizen"].count == 6
    assert cells["citizen"].share == "66,7 %"
    assert cells["agent"].count is None  # fewer than 5 agents: masked
    assert [r.label for r in results.chart.rows] == ["Accueil", "– Attente", "– Horaires"]


def test_quotes_are_masked_and_only_from_quotable_texts(analysis):
    code = code_create(analysis=analysis, label="Tout")
    assign(code, analysis.texts.all())
    quotes = build_results(analysis).rows[0].quotes
    assert len(quotes) == 3
    assert all("[téléphone masqué]" in q for q in quotes)
    named = analysis.texts.get(text="Nommé")
    assert not named.is_quotable


# --- the restitution's first draft ----------------------------------------------------------


def test_a_restitution_not_written_yet_starts_from_the_themes_most_frequent_first(
    client, analysis, lab_staff, agent_a
):
    from django.urls import reverse

    from analysis.results import restitution_draft

    accueil = code_create(analysis=analysis, label="Accueil")
    delais = code_create(analysis=analysis, label="Délais")
    code_create(analysis=analysis, label="Jamais cité")
    texts = list(analysis.texts.order_by("pk"))
    assign(accueil, texts[:3])
    assign(delais, texts[3:9])
    draft = restitution_draft(analysis.consultation, lab_staff)
    lines = draft.splitlines()
    assert lines[0] == "Vous avez été 12 à nous écrire. Voici ce qui en ressort\u00a0:"
    assert lines[1] == "- Délais\u00a0: 6 textes (50,0 %)"
    assert lines[2].startswith("  « ")
    assert "[téléphone masqué]" in lines[2]
    assert "- Accueil\u00a0: 3 textes (25,0 %)" in lines
    assert "Jamais cité" not in draft
    assert restitution_draft(analysis.consultation, agent_a) == ""  # manages nothing here

    consultation = analysis.consultation
    consultation.status = consultation.Status.CLOSED
    consultation.save(update_fields=["status"])
    client.force_login(lab_staff)
    url = reverse("ecoute:restitution-edit", kwargs={"pk": consultation.pk})
    page = client.get(url).content.decode()
    assert "- Délais\u00a0: 6 textes (50,0 %)" in page


def test_no_draft_without_coded_texts(analysis, lab_staff):
    from analysis.results import restitution_draft

    code_create(analysis=analysis, label="Accueil")
    assert restitution_draft(analysis.consultation, lab_staff) == ""
