"""Coding: a code applied to one text (and its duplicates) records who and when; applying it
twice is "déjà fait"; a whole filtered selection is coded in one statement, fast."""

import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from analysis.filters import TextFilter
from analysis.models import AnalysisText, CodeAssignment
from analysis.services import (
    code_apply,
    code_create,
    code_remove,
    codes_apply_bulk,
    suggestions_confirm,
)
from analysis.services.coding import assign_selection
from caflab.core.errors import AlreadyDone, InvalidState
from tests.analysis.factories import analysis_of, consultation_with_answers

pytestmark = pytest.mark.django_db


def test_applying_a_code_records_who_and_when(analysis_a, correspondent_a):
    code = code_create(analysis=analysis_a, label="Attente", shortcut="a")
    text = analysis_a.texts.first()
    assert code_apply(text=text, code=code, by=correspondent_a) == 1
    assignment = CodeAssignment.objects.get()
    assert assignment.assigned_by == correspondent_a
    assert assignment.assigned_at is not None
    assert not assignment.is_suggested


def test_applying_it_twice_is_already_done(analysis_a, correspondent_a, lab_staff):
    code = code_create(analysis=analysis_a, label="Attente")
    text = analysis_a.texts.first()
    code_apply(text=text, code=code, by=correspondent_a)
    with pytest.raises(AlreadyDone, match="déjà appliqué"):
        code_apply(text=text, code=code, by=lab_staff)
    assert CodeAssignment.objects.count() == 1


def test_removing_a_code_twice_is_already_done(analysis_a, correspondent_a):
    code = code_create(analysis=analysis_a, label="Attente")
    text = analysis_a.texts.first()
    code_apply(text=text, code=code, by=correspondent_a)
    code_remove(text=text, code=code, by=correspondent_a)
    with pytest.raises(AlreadyDone):
        code_remove(text=text, code=code, by=correspondent_a)


def test_a_code_of_another_analysis_is_refused(analysis_a, correspondent_a, lab_staff):
    other, _question = consultation_with_answers(["Autre"])
    foreign = code_create(analysis=analysis_of(other, lab_staff), label="Ailleurs")
    with pytest.raises(InvalidState):
        code_apply(text=analysis_a.texts.first(), code=foreign, by=correspondent_a)


def test_coding_a_group_codes_its_duplicates_and_removing_uncodes_them(lab_staff):
    consultation, _question = consultation_with_answers(
        ["Même texte.", "même texte", "Autre chose."]
    )
    analysis = analysis_of(consultation, lab_staff)
    code = code_create(analysis=analysis, label="Répété")
    head = analysis.texts.get(group_size=2)
    assert code_apply(text=head, code=code, by=lab_staff) == 2
    assert CodeAssignment.objects.filter(code=code).count() == 2
    assert code_remove(text=head, code=code, by=lab_staff) == 2
    assert not CodeAssignment.objects.exists()


def test_a_suggestion_is_confirmed_by_applying_it(analysis_a, lab_staff, correspondent_a):
    code = code_create(analysis=analysis_a, label="Suggéré")
    texts = analysis_a.texts.all()
    assign_selection(code=code, texts=texts, by=lab_staff, suggested=True)
    text = texts.first()
    code_apply(text=text, code=code, by=correspondent_a)
    confirmed = CodeAssignment.objects.get(text=text, code=code)
    assert not confirmed.is_suggested
    assert confirmed.assigned_by == correspondent_a
    assert suggestions_confirm(code=code, by=correspondent_a) == texts.count() - 1
    assert not CodeAssignment.objects.filter(is_suggested=True).exists()


def test_bulk_apply_codes_the_whole_filtered_selection_in_one_statement(analysis_a, lab_staff):
    code = code_create(analysis=analysis_a, label="Téléphone")
    selection = TextFilter(
        {"q": "TELEPHONE"},
        queryset=AnalysisText.objects.filter(analysis=analysis_a),
        analysis=analysis_a,
    )
    with CaptureQueriesContext(connection) as ctx:
        written = codes_apply_bulk(code=code, texts=selection.qs, by=lab_staff)
    inserts = [q for q in ctx.captured_queries if "INSERT" in q["sql"]]
    assert len(inserts) == 1
    assert written == 2  # "téléphone", accents and case ignored
    coded = set(CodeAssignment.objects.values_list("text__text", flat=True))
    assert all("téléphone" in t for t in coded)
    # Again: nothing new, "déjà fait" for the page.
    assert codes_apply_bulk(code=code, texts=selection.qs, by=lab_staff) == 0


def test_bulk_apply_of_ten_thousand_texts_takes_under_five_seconds(lab_staff, settings):
    settings.ANALYSIS_INLINE_TEXTS = 20_000
    consultation, _question = consultation_with_answers(
        [f"Réponse numéro {n} sur l'accueil" for n in range(10_000)]
    )
    analysis = analysis_of(consultation, lab_staff)
    code = code_create(analysis=analysis, label="Accueil")
    texts = AnalysisText.objects.filter(analysis=analysis)
    started = time.monotonic()
    written = codes_apply_bulk(code=code, texts=texts, by=lab_staff)
    elapsed = time.monotonic() - started
    assert written == 10_000
    assert elapsed < 5, f"{elapsed:.2f} s"
