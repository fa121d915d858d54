"""The lab's shared library of codebooks: the lab publishes a snapshot of an analysis'
codebook (later edits leave it as published); every manager copies a library codebook into
their analysis' codebook (two levels kept, labels not doubled); a correspondent may not
publish (403); the codebook page costs the same queries whatever the library's size."""

import pytest
from django.urls import reverse

from analysis.models import Code, LibraryCode, LibraryCodebook
from analysis.services import code_create, codebook_copy_from_library, library_publish
from caflab.core.errors import InvalidState
from tests.analysis.factories import analysis_of, consultation_with_answers
from tests.queries import count_queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(analysis_a, lab_staff):
    theme = code_create(
        analysis=analysis_a, label="Accueil", shortcut="a", definition="L'accueil", colour="#aa0000"
    )
    code_create(analysis=analysis_a, label="Horaires", parent=theme, shortcut="h")
    code_create(analysis=analysis_a, label="Courriers", shortcut="c")
    return library_publish(
        analysis=analysis_a, by=lab_staff, title="Accueil et relation", description="Pour tous"
    )


def test_publishing_keeps_a_snapshot_of_the_two_levels(published, analysis_a):
    assert published.n_codes == 3
    codes = {c.label: c for c in published.codes.select_related("parent")}
    assert codes["Horaires"].parent == codes["Accueil"]
    assert codes["Accueil"].definition == "L'accueil"
    Code.objects.filter(analysis=analysis_a, label="Courriers").update(label="Lettres")
    assert published.codes.filter(label="Courriers").exists()  # the library is unchanged


def test_a_title_is_published_once_and_an_empty_codebook_not_at_all(
    published, analysis_a, lab_staff, correspondent_a, consultation_a
):
    with pytest.raises(InvalidState, match="titre"):
        library_publish(analysis=analysis_a, by=lab_staff, title="Accueil et relation")
    consultation, _question = consultation_with_answers(["Un texte"])
    empty = analysis_of(consultation, lab_staff)
    with pytest.raises(InvalidState, match="aucun code"):
        library_publish(analysis=empty, by=lab_staff, title="Vide")
    assert LibraryCodebook.objects.count() == 1


def test_a_new_analysis_copies_a_library_codebook(published, lab_staff):
    consultation, _question = consultation_with_answers(["Un texte"])
    target = analysis_of(consultation, lab_staff)
    code_create(analysis=target, label="Courriers", shortcut="x")
    code_create(analysis=target, label="Déjà là", shortcut="h")

    assert codebook_copy_from_library(codebook=published, target=target) == 2
    copied = {c.label: c for c in Code.objects.filter(analysis=target).select_related("parent")}
    assert copied["Accueil"].colour == "#aa0000"
    assert copied["Accueil"].shortcut == "a"
    assert copied["Horaires"].parent == copied["Accueil"]
    assert copied["Horaires"].shortcut == ""  # "h" was taken
    assert codebook_copy_from_library(codebook=published, target=target) == 0


def test_the_lab_publishes_from_the_codebook_page_and_a_correspondent_copies(
    client, analysis_a, lab_staff, correspondent_a, caf_a
):
    code_create(analysis=analysis_a, label="Attente")
    url = reverse("analysis:codebook", kwargs={"pk": analysis_a.pk})
    client.force_login(lab_staff)
    assert "Publier dans la bibliothèque" in client.get(url).content.decode()
    response = client.post(
        reverse("analysis:library-publish", kwargs={"pk": analysis_a.pk}),
        {"title": "Grille accueil", "description": ""},
    )
    assert response["Location"] == url
    codebook = LibraryCodebook.objects.get()
    assert (codebook.published_by, codebook.source, codebook.n_codes) == (lab_staff, analysis_a, 1)

    # Caf A's correspondent: may copy from the library, may not publish to it.
    client.force_login(correspondent_a)
    page = client.get(url).content.decode()
    assert "Grille accueil" in page
    assert "Publier dans la bibliothèque" not in page
    publish = reverse("analysis:library-publish", kwargs={"pk": analysis_a.pk})
    assert client.post(publish, {"title": "La mienne"}).status_code == 403
    consultation, _question = consultation_with_answers(["Un texte"], caf=caf_a)
    target = analysis_of(consultation, correspondent_a)
    response = client.post(
        reverse("analysis:library-copy", kwargs={"pk": target.pk}), {"codebook": codebook.pk}
    )
    assert response["Location"] == reverse("analysis:codebook", kwargs={"pk": target.pk})
    assert list(target.codes.values_list("label", flat=True)) == ["Attente"]


@pytest.mark.parametrize("persona", ["correspondent_b", "agent_a", "citizen"])
def test_others_get_404(client, request, persona, published, analysis_a):
    client.force_login(request.getfixturevalue(persona))
    for name in ("analysis:library-copy", "analysis:library-publish"):
        url = reverse(name, kwargs={"pk": analysis_a.pk})
        assert client.post(url, {"codebook": published.pk, "title": "x"}).status_code == 404


def test_the_codebook_page_costs_the_same_queries_whatever_the_librarys_size(
    client, published, analysis_a, lab_staff
):
    client.force_login(lab_staff)
    url = reverse("analysis:codebook", kwargs={"pk": analysis_a.pk})
    first = count_queries(client, url)
    for n in range(5):
        codebook = LibraryCodebook.objects.create(title=f"Grille {n}", n_codes=1)
        LibraryCode.objects.create(codebook=codebook, label="Un code")
    assert count_queries(client, url) == first == QUERIES_CODEBOOK


QUERIES_CODEBOOK = 8


def test_the_copy_pickers_stay_bounded_with_many_codebooks_and_analyses(
    client, published, analysis_a, lab_staff
):
    """Type-ahead pickers rather than `<select>`s: the page lists only the most recent few,
    whatever the size of the library and of the analyses one manages."""
    from analysis.views.analyses import LIBRARY_SHOWN, RECENT_SHOWN

    client.force_login(lab_staff)
    url = reverse("analysis:codebook", kwargs={"pk": analysis_a.pk})

    def page() -> tuple[int, str]:
        return count_queries(client, url), client.get(url).content.decode()

    def grow(start: int, n: int) -> None:
        for i in range(start, start + n):
            codebook = LibraryCodebook.objects.create(title=f"Grille n° {i}", n_codes=1)
            LibraryCode.objects.create(codebook=codebook, label="Un code")
            consultation, _question = consultation_with_answers([f"Texte {i}"])
            analysis_of(consultation, lab_staff)

    grow(0, 3)
    small_queries, small = page()
    grow(3, 25)
    large_queries, large = page()
    assert small_queries == large_queries
    assert small.count("<option") == large.count("<option")
    assert large.count("Grille n° ") == LIBRARY_SHOWN
    assert large.count("(n° ") == RECENT_SHOWN
    assert 'data-typeahead="/' in large


def test_the_pickers_suggest_what_one_may_copy(client, published, analysis_a, correspondent_a):
    client.force_login(correspondent_a)
    other, _question = consultation_with_answers(["Un texte"], title="Horaires d’été")
    hidden = analysis_of(other, correspondent_a)  # not a consultation of Caf A: not managed
    suggest = reverse("core:typeahead", kwargs={"source": "grilles-bibliotheque"})
    assert client.get(suggest, {"q": "accueil"}).json()["results"][0]["value"] == (
        "Accueil et relation"
    )
    suggest = reverse("core:typeahead", kwargs={"source": "analyses-a-copier"})
    values = [r["value"] for r in client.get(suggest, {"q": "horaires"}).json()["results"]]
    assert f"N° {hidden.pk} – Horaires d’été" not in values


def test_a_typed_codebook_title_is_copied(client, published, analysis_a, correspondent_a, caf_a):
    consultation, _question = consultation_with_answers(
        ["Un texte"], owner=correspondent_a, caf=caf_a
    )
    target = analysis_of(consultation, correspondent_a)
    client.force_login(correspondent_a)
    url = reverse("analysis:library-copy", kwargs={"pk": target.pk})
    assert client.post(url, {"codebook": "accueil et relation"}).status_code == 302
    assert Code.objects.filter(analysis=target).count() == 3
