"""The measurement import never answers 500 (issue 16): whatever the bytes (binary junk, a
damaged workbook, any text in any encoding, a field past the csv module's 131,072-character
limit), the answer is a report in French. French Excel's CSV (Windows-1252) and XLSX workbooks
are read like UTF-8 CSV."""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evaluation.models import Measurement
from evaluation.services.measurement_import import ImportReport, measurements_import

pytestmark = pytest.mark.django_db

HEADER = ["indicateur", "caf", "periode", "valeur", "source", "preuve"]
EXAMPLES = settings(
    max_examples=25,
    deadline=None,
    database=None,  # no .hypothesis/ directory in the tree
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
ENCODINGS = ("utf-8", "utf-8-sig", "cp1252", "utf-16", "latin-1")
CELL = st.one_of(
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=30),
    st.sampled_from(["Taux de recours", "38", "69", "national", "2026-03", "12,5", "Requête"]),
)


def import_bytes(project, lead, data: bytes) -> ImportReport:
    """The import of `data`, rolled back: examples do not see each other's measurements."""
    with transaction.atomic():
        report = measurements_import(project=project, by=lead, data=data)
        transaction.set_rollback(True)
    return report


def upload(client, project, name: str, data: bytes):
    return client.post(
        reverse("evaluation:measurement-import", kwargs={"code": project.code}),
        {"file": SimpleUploadedFile(name, data)},
    )


@EXAMPLES
@given(data=st.one_of(st.binary(max_size=2000), st.binary(max_size=200).map(b"PK\x03\x04".__add__)))
def test_any_bytes_give_a_report_never_an_exception(lead, project, indicator, data):
    report = import_bytes(project, lead, data)
    assert isinstance(report, ImportReport)
    assert report.error or report.lines or not data.strip()
    assert all(line.message for line in report.lines)


@EXAMPLES
@given(
    rows=st.lists(st.lists(CELL, min_size=0, max_size=8), max_size=6),
    header=st.booleans(),
    delimiter=st.sampled_from([";", ","]),
    encoding=st.sampled_from(ENCODINGS),
)
def test_any_csv_text_in_any_encoding_gives_a_report(
    lead, project, indicator, rows, header, delimiter, encoding
):
    lines = ([HEADER] if header else []) + rows
    text = "\r\n".join(delimiter.join(cells) for cells in lines)
    data = text.encode(encoding, errors="replace")
    report = import_bytes(project, lead, data)
    assert isinstance(report, ImportReport)
    for line in report.lines:
        assert line.message
        assert line.status in {"created", "updated", "rejected"}


def test_a_field_longer_than_the_csv_modules_limit_is_read(client, lead, project, indicator):
    client.force_login(lead)
    evidence = "é" * 131_073
    name = "x" * 131_073
    text = (
        ";".join(HEADER)
        + f"\r\nTaux de recours;38;2026-03;12,5;Requête;{evidence}\r\n"
        + f"{name};38;2026-03;1;Requête;\r\n"
    )
    response = upload(client, project, "mesures.csv", text.encode("utf-8"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "1 mesure(s) ajoutée(s), 0 mise(s) à jour, 1 ligne(s) rejetée(s)." in html
    assert "Indicateur inconnu pour ce projet" in html
    assert Measurement.objects.get().evidence == evidence


def test_french_excels_windows_1252_csv_is_read(client, lead, project, indicator):
    client.force_login(lead)
    text = ";".join(HEADER) + "\r\nTaux de recours;38;2026-03;45,5;Requête Cristal;Données é\r\n"
    data = text.encode("cp1252")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    response = upload(client, project, "mesures.csv", data)
    assert response.status_code == 200
    assert "1 mesure(s) ajoutée(s)" in response.content.decode()
    measurement = Measurement.objects.get()
    assert (measurement.source, measurement.evidence) == ("Requête Cristal", "Données é")
    assert measurement.value == Decimal("45.50")


def test_an_xlsx_workbook_is_read_with_its_numbers_and_dates(client, lead, project, indicator):
    client.force_login(lead)
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append([name.capitalize() for name in HEADER])
    sheet.append(["Taux de recours", 38, datetime.datetime(2026, 3, 1), 45.5, "Requête", None])
    sheet.append(["Taux de recours", "69", "2026-03", "12,5", "@SUM(A1)", "ok"])
    sheet.append(["Inconnu", 38, "2026-03", 1, "Requête", None])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = upload(client, project, "mesures.xlsx", buffer.getvalue())
    assert response.status_code == 200
    html = response.content.decode()
    assert "2 mesure(s) ajoutée(s), 0 mise(s) à jour, 1 ligne(s) rejetée(s)." in html
    assert '<th scope="row" class="fw-normal">4</th>' in html  # the sheet's own row number
    values = dict(Measurement.objects.values_list("caf__code", "value"))
    assert values == {"38": Decimal("45.50"), "69": Decimal("12.50")}
    assert Measurement.objects.get(caf__code="69").source == "'@SUM(A1)"  # defused


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("mesures.csv", bytes(range(256)) * 4, "pas un CSV ni un classeur lisible"),
        ("mesures.csv", b"PK\x03\x04" + bytes(range(200)), "Le classeur XLSX ne peut pas"),
        ("mesures.csv", "indicateur;periode\r\nx;y".encode("utf-16"), "Colonnes manquantes"),
    ],
)
def test_a_file_that_is_not_a_table_gets_a_french_report(
    client, lead, project, indicator, name, data, reason
):
    client.force_login(lead)
    response = upload(client, project, name, data)
    assert response.status_code == 200
    assert reason in response.content.decode()
    assert not Measurement.objects.exists()
