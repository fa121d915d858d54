"""Importing a CSV or XLSX file of measurements line by line (each line kept or rejected with
its reason), and the model file to fill in."""

import csv
import datetime
import io
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from caflab.core.tabular import TableFileError, read_table, safe_cell
from caflab.network.models import Caf
from evaluation.models import Indicator
from evaluation.services.indicators import (
    _upsert_measurement,
    measurement_cafs_for,
    period_start,
    previous_period,
    project_cafs,
)
from projects.models import Project

# --- CSV import ------------------------------------------------------------------------------

CSV_COLUMNS = ("indicateur", "caf", "periode", "valeur", "source", "preuve")
REQUIRED_COLUMNS = ("indicateur", "periode", "valeur", "source")
MAX_IMPORT_ROWS = 5000
MAX_IMPORT_BYTES = 1024 * 1024  # 1 Mo: 5,000 lines of measurements fit easily
NATIONAL_WORDS = {"", "national", "nationale", "france", "-"}


@dataclass
class ImportLine:
    number: int
    status: str  # "created", "updated" or "rejected"
    message: str
    indicator: str = ""
    caf: str = ""
    period: str = ""
    value: str = ""

    @property
    def is_rejected(self) -> bool:
        return self.status == "rejected"


@dataclass
class ImportReport:
    lines: list[ImportLine] = field(default_factory=list)
    error: str = ""  # a problem with the whole file (no header, a missing column…)

    def count(self, status: str) -> int:
        return sum(1 for line in self.lines if line.status == status)

    @property
    def created(self) -> int:
        return self.count("created")

    @property
    def updated(self) -> int:
        return self.count("updated")

    @property
    def rejected(self) -> int:
        return self.count("rejected")


class RowError(Exception):
    """Why one line is rejected (a French sentence)."""


def _plain(text: str) -> str:
    """Lower case, without accents or surrounding spaces: "Période " → "periode"."""
    decomposed = unicodedata.normalize("NFKD", text.strip().casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def parse_decimal(text: str) -> Decimal:
    """A number as people type it in France: "1 234,5", "1234.5", "1.234,5", "12 %"."""
    cleaned = re.sub(r"[\s\u00a0\u202f%€]", "", text or "")
    if "," in cleaned and "." in cleaned:
        cleaned = cleaned.replace(".", "").replace(",", ".")
    else:
        cleaned = cleaned.replace(",", ".")
    if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", cleaned):
        raise RowError(_("valeur non numérique : « %(value)s »") % {"value": text})
    try:
        value = Decimal(cleaned).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    except InvalidOperation as exc:
        raise RowError(_("valeur non numérique : « %(value)s »") % {"value": text}) from exc
    if abs(value) >= Decimal(10) ** 12:
        raise RowError(_("valeur trop grande : « %(value)s »") % {"value": text})
    return value


PERIOD_PATTERNS = (
    (re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})"), lambda m: (m[1], m[2], m[3])),
    (re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})"), lambda m: (m[3], m[2], m[1])),
    (re.compile(r"(\d{4})-(\d{1,2})"), lambda m: (m[1], m[2], 1)),
    (re.compile(r"(\d{1,2})/(\d{4})"), lambda m: (m[2], m[1], 1)),
    (re.compile(r"(\d{4})\s*-?\s*[tq]([1-4])"), lambda m: (m[1], 3 * int(m[2]) - 2, 1)),
    (re.compile(r"[tq]([1-4])\s*-?\s*(\d{4})"), lambda m: (m[2], 3 * int(m[1]) - 2, 1)),
    (re.compile(r"(\d{4})\s*-?\s*s([12])"), lambda m: (m[1], 6 * int(m[2]) - 5, 1)),
    (re.compile(r"s([12])\s*-?\s*(\d{4})"), lambda m: (m[2], 6 * int(m[1]) - 5, 1)),
    (re.compile(r"(\d{4})"), lambda m: (m[1], 1, 1)),
)


def parse_period(text: str, frequency: str) -> datetime.date:
    """A period as a date (2026-04-01, 01/04/2026), a month (2026-04, 04/2026), a quarter
    (2026-T2, T2 2026), a half (2026-S1) or a year (2026), brought to its first day."""
    plain = _plain(text)
    for pattern, parts in PERIOD_PATTERNS:
        match = pattern.fullmatch(plain)
        if match:
            try:
                year, month, day = (int(x) for x in parts(match))
                day = datetime.date(year, month, day)
            except ValueError:
                break
            if not 2000 <= day.year <= 2100:
                break
            return period_start(day, frequency)
    raise RowError(
        _("période illisible : « %(value)s » (attendu : 2026-T1, 2026-03…)") % {"value": text}
    )


class _Importer:
    def __init__(self, *, project: Project, by) -> None:
        self.project = project
        self.by = by
        self.indicators = {
            _plain(i.name): i for i in project.indicators.only("pk", "name", "frequency")
        }
        self.all_cafs = {caf.code: caf for caf in Caf.objects.only("pk", "code", "name")}
        self.project_caf_ids = set(project_cafs(project).values_list("pk", flat=True))
        allowed, self.national_allowed = measurement_cafs_for(by, project)
        self.allowed_caf_ids = set(allowed.values_list("pk", flat=True))

    def indicator(self, text: str) -> Indicator:
        if not text.strip():
            raise RowError(_("indicateur manquant"))
        indicator = self.indicators.get(_plain(text))
        if indicator is None:
            raise RowError(
                _("indicateur inconnu pour ce projet : « %(name)s »") % {"name": text.strip()}
            )
        return indicator

    def caf(self, text: str) -> Caf | None:
        code = text.strip().upper()
        if _plain(code) in NATIONAL_WORDS:
            if not self.national_allowed:
                raise RowError(_("vous ne pouvez pas saisir la valeur nationale"))
            return None
        if code.isdigit() and len(code) == 1:
            code = code.zfill(2)
        caf = self.all_cafs.get(code)
        if caf is None:
            raise RowError(
                _("Caf inconnue : « %(code)s » (attendu : le numéro du département, par ex. 38)")
                % {"code": text.strip()}
            )
        if caf.pk not in self.project_caf_ids:
            raise RowError(
                _("la %(caf)s n’est ni la Caf pilote ni une Caf de déploiement du projet")
                % {"caf": caf.name}
            )
        if caf.pk not in self.allowed_caf_ids:
            raise RowError(_("vous ne pouvez saisir que les mesures de votre Caf"))
        return caf

    def row(self, number: int, cells: dict[str, str]) -> ImportLine:
        line = ImportLine(
            number=number,
            status="rejected",
            message="",
            indicator=cells.get("indicateur", "").strip(),
            caf=cells.get("caf", "").strip(),
            period=cells.get("periode", "").strip(),
            value=cells.get("valeur", "").strip(),
        )
        errors = []
        indicator = caf = period = value = None
        try:
            indicator = self.indicator(line.indicator)
        except RowError as exc:
            errors.append(str(exc))
        try:
            caf = self.caf(line.caf)
        except RowError as exc:
            errors.append(str(exc))
        if indicator is not None:
            try:
                period = parse_period(line.period, indicator.frequency)
            except RowError as exc:
                errors.append(str(exc))
        try:
            value = parse_decimal(line.value)
        except RowError as exc:
            errors.append(str(exc))
        source = cells.get("source", "").strip()
        evidence = cells.get("preuve", "").strip()
        if not source:
            errors.append(_("source manquante"))
        elif len(source) > 200:
            errors.append(_("source trop longue (200 caractères au plus)"))
        if errors:
            message = " ; ".join(errors)
            line.message = message[:1].upper() + message[1:] + "."
            return line
        # Text that a spreadsheet would run as a formula is kept, defused by an apostrophe.
        _measurement, created = _upsert_measurement(
            indicator=indicator,
            caf=caf,
            period=period,
            values={
                "value": value,
                "source": safe_cell(source),
                "evidence": safe_cell(evidence),
                "entered_by": self.by,
            },
        )
        line.status = "created" if created else "updated"
        line.message = _("Mesure ajoutée.") if created else _("Mesure mise à jour.")
        return line


@transaction.atomic
def measurements_import(*, project: Project, by, data: bytes) -> ImportReport:
    """Import a file of measurements (columns `indicateur;caf;periode;valeur;source;preuve`): a
    CSV in UTF-8 (with or without BOM) or Windows-1252, `;` or `,`, fields of any length, or an
    XLSX workbook (caflab.core.tabular reads both). Each line is checked on its own: good lines
    are kept, bad ones rejected with the reason; a line for an indicator × Caf × period already
    measured updates it. Whatever the bytes, the answer is a report, never an exception. The
    upload itself (extension, size) is checked by the form (`check_upload`)."""
    report = ImportReport()
    rows = read_table(data)
    try:
        header = next(rows, None)
        while header is not None and not header.error and not any(header.cells):
            header = next(rows, None)  # blank lines above the header
        if header is None:
            report.error = _("Le fichier est vide.")
            return report
        columns = [_plain(name) for name in header.cells]
        missing = [name for name in REQUIRED_COLUMNS if name not in columns]
        if missing:
            report.error = _(
                "Colonnes manquantes : %(missing)s. La première ligne doit nommer les colonnes : "
                "%(expected)s."
            ) % {"missing": ", ".join(missing), "expected": ";".join(CSV_COLUMNS)}
            return report
        importer = _Importer(project=project, by=by)
        for row in rows:
            if not row.error and not any(cell.strip() for cell in row.cells):
                continue
            if len(report.lines) >= MAX_IMPORT_ROWS:
                report.error = _(
                    "Le fichier dépasse %(max)s lignes : les suivantes sont ignorées."
                ) % {"max": MAX_IMPORT_ROWS}
                break
            if row.error:
                report.lines.append(ImportLine(row.number, "rejected", row.error))
            elif len(row.cells) > len(columns) and any(
                c.strip() for c in row.cells[len(columns) :]
            ):
                report.lines.append(
                    ImportLine(row.number, "rejected", _("Trop de cellules sur cette ligne."))
                )
            else:
                cells = dict(zip(columns, row.cells, strict=False))
                report.lines.append(importer.row(row.number, cells))
    except TableFileError as error:
        # The file as a whole cannot be read (binary, damaged workbook): what came before is
        # kept, as for a file cut short.
        report.error = str(error)
    return report


def template_csv(project: Project, user) -> bytes:
    """A model file: the header and one example line per indicator, for a Caf `user` may
    measure (UTF-8 with BOM, `;`, as French Excel reads it)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    cafs, _national = measurement_cafs_for(user, project)
    caf = cafs.first()
    for indicator in project.indicators.order_by("position", "pk"):
        start = previous_period(datetime.date.today(), indicator.frequency)
        writer.writerow(
            [
                safe_cell(indicator.name),
                caf.code if caf else "national",
                f"{start:%Y-%m}",
                "12,5",
                _("Tableau de bord de la Caf"),
                "",
            ]
        )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
