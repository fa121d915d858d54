"""Quality of coding: a random sample coded blind by two people (apart from the consolidated
codes), Cohen's kappa per code over the texts both coded (known values, and the same as
scikit-learn's), its reading in French, the disagreements to settle, fixed query counts."""

import pytest
from django.urls import reverse
from sklearn.metrics import cohen_kappa_score

from analysis.models import BlindCoding, CodeAssignment
from analysis.services import code_create
from analysis.services.agreement import (
    agreement,
    blind_coding_save,
    kappa,
    level,
    sample_draw,
)
from caflab.core.errors import InvalidState
from tests.accounts.factories import UserFactory
from tests.analysis.factories import answer_texts
from tests.queries import count_queries

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        # 10 texts: a=4 both, b=1, c=1, d=4 → po=0.8, pe=0.5 → 0.6
        ([1, 1, 1, 1, 1, 0, 0, 0, 0, 0], [1, 1, 1, 1, 0, 1, 0, 0, 0, 0], 0.6),
        # full agreement
        ([1, 0, 1, 0], [1, 0, 1, 0], 1.0),
        # always opposite: worse than chance
        ([1, 0, 1, 0], [0, 1, 0, 1], -1.0),
        # a=2, b=3, c=0, d=5 → po=0.7, pe=(5·2+5·8)/100=0.5 → 0.4
        ([1, 1, 1, 1, 1, 0, 0, 0, 0, 0], [1, 1, 0, 0, 0, 0, 0, 0, 0, 0], 0.4),
    ],
)
def test_kappa_has_the_known_values_of_scikit_learn(first, second, expected):
    a = sum(1 for x, y in zip(first, second, strict=True) if x and y)
    b = sum(1 for x, y in zip(first, second, strict=True) if x and not y)
    c = sum(1 for x, y in zip(first, second, strict=True) if y and not x)
    d = len(first) - a - b - c
    assert kappa(a, b, c, d) == pytest.approx(expected)
    assert kappa(a, b, c, d) == pytest.approx(cohen_kappa_score(first, second))


def test_kappa_is_undefined_when_neither_coder_varies_and_is_read_in_three_levels():
    assert kappa(0, 0, 0, 5) is None
    assert kappa(5, 0, 0, 0) is None
    assert kappa(0, 0, 0, 0) is None
    assert [level(v) for v in (None, -0.2, 0.39, 0.4, 0.59, 0.6, 1.0)] == [
        "undefined",
        "weak",
        "weak",
        "medium",
        "medium",
        "strong",
        "strong",
    ]


@pytest.fixture
def sampled(analysis_a):
    """Caf A's six texts, all drawn in the sample."""
    assert sample_draw(analysis=analysis_a, size=50, seed=1) == 6
    return analysis_a


def test_the_sample_is_drawn_at_random_one_per_group_and_frozen_once_coded(
    analysis_a, correspondent_a, consultation_a
):
    answer_texts(consultation_a.questionnaire.questions.get(), [f"Texte {i}" for i in range(20)])
    from analysis.services import texts_request

    texts_request(analysis=analysis_a)
    assert sample_draw(analysis=analysis_a, size=5, seed=3) == 5
    first = set(analysis_a.texts.filter(in_sample=True).values_list("pk", flat=True))
    assert sample_draw(analysis=analysis_a, size=5, seed=4) == 5
    assert analysis_a.texts.filter(in_sample=True).count() == 5
    drawn = analysis_a.texts.filter(in_sample=True).first()
    blind_coding_save(text=drawn, coder=correspondent_a, codes=[])
    with pytest.raises(InvalidState):
        sample_draw(analysis=analysis_a, size=5, seed=5)
    assert first  # a sample was drawn each time


def test_only_texts_of_the_sample_are_coded_blind(analysis_a, correspondent_a):
    with pytest.raises(InvalidState):
        blind_coding_save(text=analysis_a.texts.first(), coder=correspondent_a, codes=[])


def test_kappa_per_code_over_the_texts_both_coded_with_the_disagreements(
    sampled, correspondent_a, lab_staff
):
    attente = code_create(analysis=sampled, label="Attente")
    courriers = code_create(analysis=sampled, label="Courriers")
    jamais = code_create(analysis=sampled, label="Jamais appliqué")
    t = list(sampled.texts.order_by("pk"))
    # Attente: texts 0-1 both, 2 first only, 3-4 neither → a=2 b=1 c=0 d=2
    # Courriers: text 2 both, 3 second only, others neither → a=1 b=0 c=1 d=3
    first_codes = {0: [attente], 1: [attente], 2: [attente, courriers], 3: [], 4: []}
    second_codes = {0: [attente], 1: [attente], 2: [courriers], 3: [courriers], 4: []}
    for i, codes in first_codes.items():
        blind_coding_save(text=t[i], coder=correspondent_a, codes=codes)
    for i, codes in second_codes.items():
        blind_coding_save(text=t[i], coder=lab_staff, codes=codes)
    blind_coding_save(text=t[5], coder=lab_staff, codes=[attente])  # coded by one only
    # The consolidated coding is another matter: it does not count here.
    CodeAssignment.objects.create(text=t[3], code=jamais, assigned_at="2026-01-01T00:00Z")

    result = agreement(analysis=sampled, first=correspondent_a, second=lab_staff)

    assert result.n_texts == 5
    rows = {row.code.label: row for row in result.rows}
    att = rows["Attente"]
    assert (att.both, att.first_only, att.second_only, att.neither) == (2, 1, 0, 2)
    assert att.kappa == pytest.approx(cohen_kappa_score([1, 1, 1, 0, 0], [1, 1, 0, 0, 0]))  # 0.6154
    assert att.kappa_display == "0,62"
    assert att.observed == "80 %"
    assert att.level_label == "accord fort"
    cou = rows["Courriers"]
    assert cou.kappa == pytest.approx(cohen_kappa_score([0, 0, 1, 0, 0], [0, 0, 1, 1, 0]))
    assert cou.level_label == "accord moyen"  # 0.5455
    assert rows["Jamais appliqué"].kappa is None
    assert rows["Jamais appliqué"].level_label == "non calculable"
    assert result.n_disagreements == 2
    assert {(d.text.pk, d.code.label, d.by) for d in result.disagreements} == {
        (t[2].pk, "Attente", correspondent_a),
        (t[3].pk, "Courriers", lab_staff),
    }


def test_saving_again_replaces_the_coders_own_codes(sampled, correspondent_a):
    code = code_create(analysis=sampled, label="Attente")
    text = sampled.texts.filter(in_sample=True).first()
    blind_coding_save(text=text, coder=correspondent_a, codes=[code])
    blind_coding_save(text=text, coder=correspondent_a, codes=[])
    coding = BlindCoding.objects.get()
    assert list(coding.codes.all()) == []


def test_the_blind_page_shows_the_coders_own_codes_only(
    client, sampled, correspondent_a, lab_staff
):
    code = code_create(analysis=sampled, label="Attente")
    other = code_create(analysis=sampled, label="Courriers")
    text = sampled.texts.order_by("pk").first()
    blind_coding_save(text=text, coder=lab_staff, codes=[other])
    client.force_login(correspondent_a)
    url = reverse("analysis:blind-coding", kwargs={"pk": sampled.pk})
    page = client.get(url).content.decode()
    assert f'id="aveugle-{text.pk}-{other.pk}" checked' not in page  # the lab's choice unseen
    response = client.post(
        reverse("analysis:blind-code", kwargs={"pk": text.pk}), {"codes": [code.pk], "page": "1"}
    )
    assert response["Location"] == f"{url}?page=1#texte-{text.pk}"
    page = client.get(url).content.decode()
    assert f'id="aveugle-{text.pk}-{code.pk}" checked' in page
    assert f'id="aveugle-{text.pk}-{other.pk}" checked' not in page
    assert BlindCoding.objects.get(coder=correspondent_a).codes.get() == code


@pytest.mark.parametrize("persona", ["correspondent_b", "agent_a", "citizen"])
def test_others_get_404(client, request, persona, sampled):
    client.force_login(request.getfixturevalue(persona))
    text = sampled.texts.first()
    assert client.get(reverse("analysis:agreement", kwargs={"pk": sampled.pk})).status_code == 404
    assert client.get(reverse("analysis:blind-coding", kwargs={"pk": sampled.pk})).status_code == (
        404
    )
    assert client.post(reverse("analysis:blind-code", kwargs={"pk": text.pk})).status_code == 404


def test_the_agreement_page_explains_kappa_and_costs_the_same_queries_at_two_sizes(
    client, sampled, correspondent_a, lab_staff
):
    codes = [code_create(analysis=sampled, label=f"Code {i}") for i in range(2)]
    client.force_login(lab_staff)
    url = reverse("analysis:agreement", kwargs={"pk": sampled.pk})
    page = client.get(url).content.decode()
    assert "Il faut que deux personnes" in page
    texts = list(sampled.texts.order_by("pk"))
    counts = []
    for chunk in (texts[:2], texts[2:]):
        for text in chunk:
            blind_coding_save(text=text, coder=correspondent_a, codes=codes[:1])
            blind_coding_save(text=text, coder=lab_staff, codes=codes)
        code_create(analysis=sampled, label=f"Autre {len(counts)}")
        UserFactory()  # a person who coded nothing is no coder
        counts.append(count_queries(client, url))
    assert counts == [QUERIES_AGREEMENT, QUERIES_AGREEMENT]
    page = client.get(url).content.decode()
    assert "Comment lire le kappa de Cohen" in page
    assert "accord est faible" in page
    assert "accord est fort" in page
    assert "ont tous deux codé 6 textes" in page
    assert "Désaccords à régler" in page
    assert "non calculable" in page
    assert "[téléphone masqué]" in page
    assert "06 12 34 56 78" not in page


def test_the_blind_coding_page_costs_the_same_queries_at_two_sizes(
    client, sampled, correspondent_a, consultation_a
):
    code_create(analysis=sampled, label="Attente")
    client.force_login(correspondent_a)
    url = reverse("analysis:blind-coding", kwargs={"pk": sampled.pk})
    texts = list(sampled.texts.order_by("pk"))
    counts = []
    for chunk in (texts[:1], texts[1:]):
        for text in chunk:
            blind_coding_save(text=text, coder=correspondent_a, codes=list(sampled.codes.all()))
        code_create(analysis=sampled, label=f"Autre {len(counts)}")
        counts.append(count_queries(client, url))
    assert counts == [QUERIES_BLIND_CODING, QUERIES_BLIND_CODING]


def test_two_identical_coders_cannot_be_compared(client, sampled, lab_staff, correspondent_a):
    client.force_login(lab_staff)
    url = reverse("analysis:agreement", kwargs={"pk": sampled.pk})
    blind_coding_save(text=sampled.texts.first(), coder=lab_staff, codes=[])
    blind_coding_save(text=sampled.texts.first(), coder=correspondent_a, codes=[])
    page = client.get(url, {"first": lab_staff.pk, "second": lab_staff.pk}).content.decode()
    assert "Choisissez deux personnes différentes." in page


QUERIES_AGREEMENT = 16
QUERIES_BLIND_CODING = 9
