"""The analysis pages: the consultation's managers (the lab, its Caf's correspondent) use them;
another Caf's correspondent and agents get 404; the panel on the consultation's page links to
it; coding by form and htmx; the original of a masked text is the lab's, in the coding view."""

import pytest
from django.urls import reverse

from analysis.models import Analysis, CodeAssignment
from analysis.services import code_create
from tests.analysis.factories import answer_texts
from tests.queries import assert_flat_query_count

pytestmark = pytest.mark.django_db


def test_the_consultation_page_links_to_its_analysis(client, correspondent_a, consultation_a):
    client.force_login(correspondent_a)
    page = client.get(consultation_a.get_manage_url()).content.decode()
    assert reverse("analysis:start", kwargs={"pk": consultation_a.pk}) in page


def test_a_manager_creates_the_analysis_from_the_consultation(
    client, correspondent_a, consultation_a
):
    client.force_login(correspondent_a)
    url = reverse("analysis:start", kwargs={"pk": consultation_a.pk})
    assert "6 textes à analyser" in client.get(url).content.decode()
    response = client.post(url)
    analysis = Analysis.objects.get(consultation=consultation_a)
    assert response["Location"] == analysis.get_absolute_url()
    assert client.get(url)["Location"] == analysis.get_absolute_url()


@pytest.mark.parametrize("persona", ["correspondent_b", "agent_a", "citizen"])
def test_others_get_404(client, request, persona, analysis_a, consultation_a):
    client.force_login(request.getfixturevalue(persona))
    for url in (
        reverse("analysis:start", kwargs={"pk": consultation_a.pk}),
        reverse("analysis:detail", kwargs={"pk": analysis_a.pk}),
        reverse("analysis:coding", kwargs={"pk": analysis_a.pk}),
        reverse("analysis:results", kwargs={"pk": analysis_a.pk}),
    ):
        assert client.get(url).status_code == 404, url


def test_a_code_is_added_with_its_errors_kept(client, correspondent_a, analysis_a):
    client.force_login(correspondent_a)
    url = reverse("analysis:codebook", kwargs={"pk": analysis_a.pk})
    client.post(url, {"label": "Attente", "colour": "#aa0000", "shortcut": "A"})
    code = analysis_a.codes.get()
    assert code.shortcut == "a"
    response = client.post(url, {"label": "Délais", "colour": "#aa0000", "shortcut": "a"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Ce raccourci est déjà pris" in page
    assert 'value="Délais"' in page
    response = client.post(
        url, {"label": "Sous-délais", "parent": code.pk, "colour": "#00aa00", "shortcut": ""}
    )
    child = analysis_a.codes.get(label="Sous-délais")
    response = client.post(url, {"label": "Trop profond", "parent": child.pk, "colour": "#000000"})
    assert "Sélectionnez un choix valide" in response.content.decode()


def test_coding_one_text_with_htmx_answers_its_codes_and_an_announcement(
    client, correspondent_a, analysis_a
):
    code = code_create(analysis=analysis_a, label="Attente", shortcut="a")
    text = analysis_a.texts.first()
    client.force_login(correspondent_a)
    url = reverse("analysis:text-code", kwargs={"pk": text.pk})
    response = client.post(url, {"code": code.pk, "action": "toggle"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    body = response.content.decode()
    assert f'id="codes-{text.pk}"' in body
    assert "Attente" in body
    assert f"Code «\u00a0Attente\u00a0» appliqué au texte {text.pk}." in body
    assert CodeAssignment.objects.get().assigned_by == correspondent_a
    response = client.post(url, {"code": code.pk, "action": "apply"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 409
    assert "déjà appliqué" in response.content.decode()
    client.post(url, {"code": code.pk, "action": "toggle"}, HTTP_HX_REQUEST="true")
    assert not CodeAssignment.objects.exists()


def test_bulk_apply_codes_the_filtered_texts_of_every_page(client, lab_staff, analysis_a):
    code = code_create(analysis=analysis_a, label="Courriers")
    client.force_login(lab_staff)
    url = reverse("analysis:bulk-apply", kwargs={"pk": analysis_a.pk})
    response = client.post(url, {"apply_code": code.pk, "q": "COURRIERS"})
    assert response["Location"].endswith("?q=COURRIERS")
    assert CodeAssignment.objects.filter(code=code).count() == 2


def test_the_words_filter_ignores_accents_and_case(client, lab_staff, analysis_a):
    client.force_login(lab_staff)
    url = reverse("analysis:coding", kwargs={"pk": analysis_a.pk})
    page = client.get(url, {"q": "Incomprehensibles"}).content.decode()
    assert "1 texte trouvé" in page
    assert "incompréhensibles" in page


def test_the_phone_number_is_masked_and_the_original_is_the_labs_only(
    client, lab_staff, correspondent_a, analysis_a
):
    url = reverse("analysis:coding", kwargs={"pk": analysis_a.pk})
    client.force_login(correspondent_a)
    page = client.get(url, {"personal": "oui"}).content.decode()
    assert "[téléphone masqué]" in page
    assert "06 12 34 56 78" not in page
    client.force_login(lab_staff)
    page = client.get(url, {"personal": "oui"}).content.decode()
    assert "Voir le texte original" in page
    assert "06 12 34 56 78" in page
    results = client.get(reverse("analysis:results", kwargs={"pk": analysis_a.pk}))
    assert "06 12 34 56 78" not in results.content.decode()


def test_the_export_masks_personal_data_and_neutralises_formulas(
    client, lab_staff, consultation_a, django_capture_on_commit_callbacks
):
    question = consultation_a.questionnaire.questions.get()
    answer_texts(question, ['=HYPERLINK("http://evil.example","clic")'])
    from analysis.services import analysis_create

    analysis = analysis_create(consultation=consultation_a, by=lab_staff)
    code = code_create(analysis=analysis, label="Attente")
    CodeAssignment.objects.create(
        text=analysis.texts.first(),
        code=code,
        assigned_by=lab_staff,
        assigned_at="2026-01-01T00:00Z",
    )
    client.force_login(lab_staff)
    for fmt in ("csv", "xlsx"):  # asked for here, built by the task after the commit
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("analysis:export", kwargs={"pk": analysis.pk, "fmt": fmt}))
    csv_export, xlsx_export = analysis.exports.order_by("pk")
    response = client.get(reverse("analysis:export-download", kwargs={"pk": csv_export.pk}))
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "[téléphone masqué]" in content
    assert "06 12 34 56 78" not in content
    assert "'=HYPERLINK" in content
    assert "Attente" in content
    xlsx = client.get(reverse("analysis:export-download", kwargs={"pk": xlsx_export.pk}))
    assert xlsx.status_code == 200
    assert b"".join(xlsx.streaming_content)[:2] == b"PK"


def _add_texts(analysis, question, lab_staff):
    from analysis.services import texts_request

    def add(n: int) -> None:
        answer_texts(question, [f"Texte ajouté numéro {i} sur l'accueil" for i in range(n)])
        texts_request(analysis=analysis)
        code = analysis.codes.first()
        CodeAssignment.objects.bulk_create(
            [
                CodeAssignment(
                    text=t, code=code, assigned_by=lab_staff, assigned_at="2026-01-01T00:00Z"
                )
                for t in analysis.texts.filter(assignments__isnull=True)
            ]
        )

    return add


def test_the_coding_list_costs_the_same_queries_at_two_sizes(
    client, lab_staff, analysis_a, consultation_a
):
    code_create(analysis=analysis_a, label="Accueil", shortcut="c")
    client.force_login(lab_staff)
    add = _add_texts(analysis_a, consultation_a.questionnaire.questions.get(), lab_staff)
    url = reverse("analysis:coding", kwargs={"pk": analysis_a.pk}) + "?groups=tous"
    assert_flat_query_count(client, url, add, sizes=(3, 30), expected=QUERIES_CODING)


def test_the_results_cost_the_same_queries_at_two_sizes(
    client, lab_staff, analysis_a, consultation_a
):
    code_create(analysis=analysis_a, label="Accueil")
    client.force_login(lab_staff)
    add = _add_texts(analysis_a, consultation_a.questionnaire.questions.get(), lab_staff)
    url = reverse("analysis:results", kwargs={"pk": analysis_a.pk})
    assert_flat_query_count(client, url, add, sizes=(3, 30), expected=QUERIES_RESULTS)


QUERIES_CODING = 12
QUERIES_RESULTS = 10  # 9, and the requester's last exports


def test_the_themes_page_shows_a_run_its_progress_and_accepts_a_theme(
    client, lab_staff, analysis_a
):
    import datetime

    from django.utils import timezone

    from analysis.models import SuggestedTheme, ThemeRun

    lease = timezone.now() + datetime.timedelta(hours=1)  # a live worker holds it
    run = ThemeRun.objects.create(
        analysis=analysis_a, status="running", progress=40, lease_expires_at=lease
    )
    client.force_login(lab_staff)
    url = reverse("analysis:themes", kwargs={"pk": analysis_a.pk})
    page = client.get(url).content.decode()
    assert "Calcul en cours\u00a0: 40 %." in page
    assert 'data-hx-trigger="every 2s"' in page
    fragment = client.get(
        reverse("analysis:run-progress", kwargs={"pk": run.pk}), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "<html" not in fragment
    assert "40 %" in fragment
    run.status, run.progress = "ready", 100
    run.save()
    theme = SuggestedTheme.objects.create(
        run=run, label="attente · telephone", words=["attente"], n_groups=2, n_texts=2
    )
    theme.texts.set(analysis_a.texts.filter(text__icontains="téléphone"))
    client.post(
        reverse("analysis:theme-action", kwargs={"pk": theme.pk}),
        {"action": "accept", "label": "Attente au téléphone"},
    )
    code = analysis_a.codes.get(label="Attente au téléphone")
    assert CodeAssignment.objects.filter(code=code, is_suggested=True).count() == 2
    client.post(reverse("analysis:code-suggestions", kwargs={"pk": code.pk}))
    assert CodeAssignment.objects.filter(code=code, is_suggested=False).count() == 2
