"""The analysis' demo data: the welcome-desk consultation's open answers coded with a small
codebook and a theme run done, and a criée's comments coded, through the real services, once."""

import io

import pytest
from django.core.management import call_command

from analysis.models import Analysis, CodeAssignment, ThemeRun

pytestmark = pytest.mark.django_db


def test_seed_demo_codes_the_open_answers_and_runs_the_themes_once(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    analysis = Analysis.objects.get(consultation__slug="votre-accueil-a-la-caf")
    counts = (CodeAssignment.objects.count(), ThemeRun.objects.count())
    call_command("seed_demo", stdout=io.StringIO())
    assert (CodeAssignment.objects.count(), ThemeRun.objects.count()) == counts
    assert analysis.n_texts > 500
    assert analysis.codes.filter(parent__isnull=True).count() == 3
    assert analysis.codes.count() == 9
    coded = CodeAssignment.objects.filter(code__analysis=analysis)
    assert coded.values("code").distinct().count() == 6
    run = ThemeRun.objects.get(analysis=analysis)
    assert run.status == ThemeRun.Status.READY
    assert run.themes.exists()
    # A criée's comments (a source the criées register), coded by word filters, once.
    comments = Analysis.objects.get(source="criee_comments")
    assert comments.n_texts > 0
    assert not comments.texts.filter(is_quotable=True).exists()
    assert set(comments.codes.values_list("label", flat=True)) == {
        "Questions sur les moyens",
        "Envie d’échanger",
        "Enthousiasme",
    }
    assert CodeAssignment.objects.filter(code__analysis=comments).exists()
