"""The CSV import of measurements: line-by-line report, good rows kept, bad rows rejected with
the reason in French, decimal comma, BOM, update on re-import, formula-looking cells."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from evaluation.models import Measurement

pytestmark = pytest.mark.django_db

HEADER = "indicateur;caf;periode;valeur;source;preuve\n"


def _import(client, project, text: str, *, name="mesures.csv", bom=False):
    data = ("\ufeff" if bom else "") + text
    upload = SimpleUploadedFile(name, data.encode("utf-8"), content_type="text/csv")
    return client.post(
        reverse("evaluation:measurement-import", kwargs={"code": project.code}), {"file": upload}
    )


def test_good_lines_are_kept_and_bad_ones_rejected_with_their_reason(
    client, lead, project, indicator, caf_a, caf_b
):
    client.force_login(lead)
    response = _import(
        client,
        project,
        HEADER
        + "Taux de recours;38;2026-T1;45,5;Requête Cristal;\n"
        + "taux de recours;69;T1 2026;1 234,5;Requête Cristal;ok\n"
        + "Taux de recours;;2026-03;50;Tableau national;\n"
        + "Indicateur inconnu;38;2026-T1;12;Source;\n"
        + "Taux de recours;13;2026-T1;12;Source;\n"
        + "Taux de recours;38;hier;douze;;\n",
        bom=True,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "3 mesure(s) ajoutée(s), 0 mise(s) à jour, 3 ligne(s) rejetée(s)." in html
    assert "Indicateur inconnu pour ce projet\u00a0: «\u00a0Indicateur inconnu\u00a0»." in html
    assert "ni la Caf pilote ni une Caf de déploiement du projet" in html
    assert "Période illisible\u00a0: «\u00a0hier\u00a0»" in html
    assert "valeur non numérique\u00a0: «\u00a0douze\u00a0»" in html
    assert "source manquante" in html
    values = dict(Measurement.objects.values_list("caf", "value"))
    assert values == {caf_a.pk: Decimal("45.50"), caf_b.pk: Decimal("1234.50"), None: Decimal("50")}
    assert set(Measurement.objects.values_list("period", flat=True)) == {datetime.date(2026, 1, 1)}


def test_re_importing_the_same_line_updates_it_and_commas_are_sniffed(
    client, lead, project, indicator
):
    client.force_login(lead)
    _import(client, project, HEADER + "Taux de recours;38;2026-T2;40;Requête;\n")
    response = _import(
        client,
        project,
        'indicateur,caf,periode,valeur,source,preuve\nTaux de recours,38,2026-T2,"41,5",Requête,\n',
    )
    assert "0 mesure(s) ajoutée(s), 1 mise(s) à jour" in response.content.decode()
    assert Measurement.objects.get().value == Decimal("41.5")


def test_formula_looking_cells_are_stored_defused(client, lead, project, indicator):
    client.force_login(lead)
    _import(
        client,
        project,
        HEADER + 'Taux de recours;38;2026-T1;10;=HYPERLINK("http://x");@SUM(A1)\n'
        "Taux de recours;69;2026-T1;=1+1;Requête;\n",
    )
    measurement = Measurement.objects.get()
    assert measurement.source == '\'=HYPERLINK("http://x")'
    assert measurement.evidence == "'@SUM(A1)"


def test_a_correspondent_imports_only_their_own_cafs_lines(
    client, correspondent_b, project, indicator, caf_b
):
    client.force_login(correspondent_b)
    response = _import(
        client,
        project,
        HEADER + "Taux de recours;69;2026-T1;10;Requête;\nTaux de recours;38;2026-T1;11;Requête;\n"
        "Taux de recours;national;2026-T1;11;Requête;\n",
    )
    html = response.content.decode()
    assert "Vous ne pouvez saisir que les mesures de votre Caf." in html
    assert "Vous ne pouvez pas saisir la valeur nationale." in html
    assert list(Measurement.objects.values_list("caf", flat=True)) == [caf_b.pk]


def test_a_file_without_the_columns_is_refused_as_a_whole(client, lead, project, indicator):
    client.force_login(lead)
    response = _import(client, project, "nom;valeur\nTaux;12\n")
    assert "Colonnes manquantes\u00a0: indicateur, periode, source." in response.content.decode()
    assert not Measurement.objects.exists()


def test_an_upload_that_is_not_a_csv_or_xlsx_file_is_refused(client, lead, project, indicator):
    client.force_login(lead)
    response = _import(client, project, HEADER, name="mesures.txt")
    assert "Ce type de fichier n" in response.content.decode()
    response = _import(client, project, HEADER, name="mesures.xlsx")  # text, not a workbook
    assert "ne correspond pas à son extension" in response.content.decode()
    binary = SimpleUploadedFile("mesures.csv", b"\x00\x01\x02", content_type="text/csv")
    url = reverse("evaluation:measurement-import", kwargs={"code": project.code})
    response = client.post(url, {"file": binary})
    assert response.status_code == 200
    assert "pas un CSV ni un classeur lisible" in response.content.decode()
    assert not Measurement.objects.exists()


def test_the_template_file_lists_the_projects_indicators(client, lead, project, indicator):
    client.force_login(lead)
    response = client.get(reverse("evaluation:measurement-template", kwargs={"code": project.code}))
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeffindicateur;caf;periode;valeur;source;preuve")
    assert "Taux de recours;38;" in text


def test_readers_may_not_import(client, agent_b, project, indicator):
    client.force_login(agent_b)
    assert _import(client, project, HEADER).status_code == 403


def test_a_correspondents_template_file_uses_their_own_caf(
    client, correspondent_b, project, indicator
):
    client.force_login(correspondent_b)
    response = client.get(reverse("evaluation:measurement-template", kwargs={"code": project.code}))
    assert "Taux de recours;69;" in response.content.decode("utf-8")
