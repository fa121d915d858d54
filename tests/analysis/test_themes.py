"""Suggested themes: computed by a task (ids in), deterministic, a duplicate group counted once;
accepted as a code whose texts get it as suggestions; renamed, merged, discarded."""

import pytest
from django.urls import reverse

from analysis import nlp
from analysis.models import CodeAssignment, SuggestedTheme, ThemeRun
from analysis.services import (
    theme_accept,
    theme_discard,
    theme_merge,
    theme_rename,
    themes_request,
    themes_suggest,
)
from caflab.core.errors import AlreadyDone, InvalidState
from tests.analysis.corpus import CAMPAIGN, corpus
from tests.analysis.factories import analysis_of, consultation_with_answers

pytestmark = pytest.mark.django_db


@pytest.fixture
def corpus_analysis(lab_staff):
    consultation, _question = consultation_with_answers(corpus(60, campaign=20))
    return analysis_of(consultation, lab_staff)


def run_themes(analysis, by, django_capture_on_commit_callbacks, n_themes=3) -> ThemeRun:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        run = themes_request(analysis=analysis, by=by, n_themes=n_themes)
    assert len(callbacks) == 1  # the task, queued after commit with the run's id
    assert themes_suggest(run_id=run.pk) == "ready"
    run.refresh_from_db()
    return run


def test_a_run_finds_the_subjects_with_words_and_five_examples(
    corpus_analysis, lab_staff, django_capture_on_commit_callbacks
):
    run = run_themes(corpus_analysis, lab_staff, django_capture_on_commit_callbacks)
    assert run.status == ThemeRun.Status.READY
    assert run.lemmatiser == ("spacy" if nlp.is_language_pipeline_available() else "simple")
    assert run.n_texts == 80
    campaign = corpus_analysis.texts.get(text=CAMPAIGN, duplicate_of__isnull=True)
    assert campaign.group_size == 20  # the campaign counts once
    assert run.n_groups == corpus_analysis.texts.representatives().count() <= 61
    themes = list(run.themes.all())
    assert len(themes) == 3
    words = {w for theme in themes for w in theme.words}
    assert {"telephone", "courrier"} <= words
    assert all(len(theme.examples) == 5 for theme in themes)
    assert sum(t.n_groups for t in themes) <= 61


def test_the_same_texts_give_the_same_themes(
    corpus_analysis, lab_staff, django_capture_on_commit_callbacks
):
    first = run_themes(corpus_analysis, lab_staff, django_capture_on_commit_callbacks)
    second = run_themes(corpus_analysis, lab_staff, django_capture_on_commit_callbacks)
    shape = lambda run: [(t.words, t.examples, t.n_groups) for t in run.themes.all()]  # noqa: E731
    assert shape(first) == shape(second)


def test_a_second_request_while_one_runs_is_already_done(corpus_analysis, lab_staff):
    themes_request(analysis=corpus_analysis, by=lab_staff)
    with pytest.raises(AlreadyDone):
        themes_request(analysis=corpus_analysis, by=lab_staff)


def test_running_a_finished_run_again_is_skipped(
    corpus_analysis, lab_staff, django_capture_on_commit_callbacks
):
    run = run_themes(corpus_analysis, lab_staff, django_capture_on_commit_callbacks)
    assert themes_suggest(run_id=run.pk) == "skipped"


def test_the_fallback_tokenizer_keeps_content_words_without_accents():
    assert nlp.simple_tokens("Les courriers de la Caf sont très compliqués !") == [
        "courriers",
        "caf",
        "compliques",
    ]


def test_accepting_a_theme_makes_a_code_with_suggestions_for_its_texts_and_duplicates(
    corpus_analysis, lab_staff, django_capture_on_commit_callbacks
):
    run = run_themes(corpus_analysis, lab_staff, django_capture_on_commit_callbacks)
    theme = run.themes.first()
    code = theme_accept(theme=theme, by=lab_staff, label="Accueil et horaires")
    assert code.label == "Accueil et horaires"
    assert code.analysis == corpus_analysis
    suggested = CodeAssignment.objects.filter(code=code)
    assert suggested.count() == theme.n_texts
    assert all(a.is_suggested for a in suggested)
    theme.refresh_from_db()
    assert theme.status == SuggestedTheme.Status.ACCEPTED
    assert theme.code == code
    with pytest.raises(AlreadyDone):
        theme_accept(theme=theme, by=lab_staff)


def test_merging_moves_the_texts_and_discarding_closes_a_theme(
    corpus_analysis, lab_staff, django_capture_on_commit_callbacks
):
    run = run_themes(corpus_analysis, lab_staff, django_capture_on_commit_callbacks)
    first, second, third = run.themes.all()
    expected = first.n_groups + second.n_groups
    target = theme_merge(theme=first, into=second)
    assert target.n_groups == expected
    first.refresh_from_db()
    assert first.status == SuggestedTheme.Status.MERGED
    assert first.merged_into == second
    with pytest.raises(InvalidState):
        theme_merge(theme=third, into=third)
    assert theme_rename(theme=third, label="  Courriers  ").label == "Courriers"
    theme_discard(theme=third)
    with pytest.raises(AlreadyDone):
        theme_discard(theme=third)


def test_without_the_language_model_themes_use_plain_words_and_the_page_says_so(
    client, settings, corpus_analysis, lab_staff, django_capture_on_commit_callbacks
):
    settings.ANALYSIS_SPACY_MODEL = "fr_modele_absent"  # as on a server without the model
    assert not nlp.is_language_pipeline_available()
    run = run_themes(corpus_analysis, lab_staff, django_capture_on_commit_callbacks)
    assert run.lemmatiser == "simple"
    assert run.themes.exists()
    client.force_login(lab_staff)
    page = client.get(reverse("analysis:themes", kwargs={"pk": corpus_analysis.pk}))
    text = page.content.decode()
    assert "n’est pas installé sur ce serveur" in text
    assert "Calculés sans le traitement de la langue française" in text


def test_the_themes_page_tells_whether_the_model_is_installed_without_loading_it(
    client, settings, corpus_analysis, lab_staff
):
    # The web process must not load spaCy's pipeline to say so (15 s, hundreds of MB): the
    # pipelines loaded in this process are the same before and after the page.
    loaded = dict(nlp._pipelines)
    client.force_login(lab_staff)
    page = client.get(reverse("analysis:themes", kwargs={"pk": corpus_analysis.pk}))
    assert page.status_code == 200
    assert nlp._pipelines == loaded
    assert ("n’est pas installé sur ce serveur" in page.content.decode()) is not (
        nlp.is_language_pipeline_available()
    )
    settings.ANALYSIS_SPACY_MODEL = "fr_modele_absent"
    assert not nlp.is_language_pipeline_available()
    assert nlp._pipelines == loaded
