"""The codebook: two levels only, unique labels and shortcuts, copied from a previous
analysis; a theme with sub-themes is not deleted."""

import pytest
from django.urls import reverse

from analysis.models import Code
from analysis.services import code_create, code_delete, code_update, codebook_copy
from caflab.core.errors import InvalidState
from tests.analysis.factories import analysis_of, consultation_with_answers

pytestmark = pytest.mark.django_db


def test_codes_have_two_levels_only(analysis_a):
    theme = code_create(analysis=analysis_a, label="Accueil")
    sub = code_create(analysis=analysis_a, label="Horaires", parent=theme)
    with pytest.raises(InvalidState, match="sous-thème"):
        code_create(analysis=analysis_a, label="Samedi", parent=sub)
    with pytest.raises(InvalidState):
        code_update(code=theme, parent=code_create(analysis=analysis_a, label="Autre"))


def test_labels_and_shortcuts_are_unique_per_analysis(analysis_a):
    code_create(analysis=analysis_a, label="Accueil", shortcut="a")
    with pytest.raises(InvalidState, match="libellé"):
        code_create(analysis=analysis_a, label="Accueil")
    with pytest.raises(InvalidState, match="raccourci"):
        code_create(analysis=analysis_a, label="Attente", shortcut="A")


def test_a_theme_with_sub_themes_is_not_deleted(analysis_a):
    theme = code_create(analysis=analysis_a, label="Accueil")
    code_create(analysis=analysis_a, label="Horaires", parent=theme)
    with pytest.raises(InvalidState):
        code_delete(code=theme)


def test_a_codebook_is_copied_from_a_previous_analysis(analysis_a, lab_staff):
    theme = code_create(
        analysis=analysis_a, label="Accueil", shortcut="a", definition="L'accueil", colour="#aa0000"
    )
    code_create(analysis=analysis_a, label="Horaires", parent=theme, shortcut="h")
    code_create(analysis=analysis_a, label="Courriers", shortcut="c")
    consultation, _question = consultation_with_answers(["Un texte"])
    target = analysis_of(consultation, lab_staff)
    code_create(analysis=target, label="Courriers", shortcut="x")
    code_create(analysis=target, label="Déjà là", shortcut="h")

    assert codebook_copy(source=analysis_a, target=target) == 2
    copied = {c.label: c for c in Code.objects.filter(analysis=target).select_related("parent")}
    assert copied["Accueil"].definition == "L'accueil"
    assert copied["Accueil"].colour == "#aa0000"
    assert copied["Horaires"].parent == copied["Accueil"]
    assert copied["Horaires"].shortcut == ""  # "h" was taken
    assert codebook_copy(source=analysis_a, target=target) == 0


def test_the_codebook_pages_edit_copy_and_delete(client, lab_staff, analysis_a):
    consultation, _question = consultation_with_answers(["Un texte"])
    previous = analysis_of(consultation, lab_staff)
    code_create(analysis=previous, label="Courriers")
    code = code_create(analysis=analysis_a, label="Accueil")
    client.force_login(lab_staff)
    response = client.post(
        reverse("analysis:code-update", kwargs={"pk": code.pk}),
        {"label": "Accueil physique", "colour": "#123456", "shortcut": "p", "definition": "D"},
    )
    assert response.status_code == 302
    code.refresh_from_db()
    assert (code.label, code.shortcut, code.colour) == ("Accueil physique", "p", "#123456")
    client.post(
        reverse("analysis:codebook-copy", kwargs={"pk": analysis_a.pk}), {"source": previous.pk}
    )
    assert analysis_a.codes.filter(label="Courriers").exists()
    page = client.get(reverse("analysis:codebook", kwargs={"pk": analysis_a.pk})).content.decode()
    assert "Accueil physique" in page
    assert "raccourci" in page
    client.post(reverse("analysis:code-delete", kwargs={"pk": code.pk}))
    assert not analysis_a.codes.filter(pk=code.pk).exists()
