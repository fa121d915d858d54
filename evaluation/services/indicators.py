"""Flows of indicators and measurements: periods, who may measure in which Caf, entering a
measurement, importing a CSV or XLSX file of measurements line by line, the chart data, and the
reminder of a measurement due."""

import csv
import datetime
import io
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Avg, Count, Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from caflab.core import charts
from caflab.core.tabular import TableFileError, read_table, safe_cell
from caflab.network.models import Caf
from evaluation.models import (
    Frequency,
    Indicator,
    IndicatorTarget,
    Measurement,
    MeasurementReminder,
)
from projects.models import Deployment, Project, Stage

# --- periods ---------------------------------------------------------------------------------
# A period is named by its first day: 2026-01-01 is January (monthly), the first quarter
# (quarterly), the first half (half-yearly) or the year 2026 (yearly).

MONTHS_PER_PERIOD = {
    Frequency.MONTHLY: 1,
    Frequency.QUARTERLY: 3,
    Frequency.HALF_YEARLY: 6,
    Frequency.YEARLY: 12,
}


def period_start(day: datetime.date, frequency: str) -> datetime.date:
    """The first day of the period of `frequency` that holds `day`."""
    months = MONTHS_PER_PERIOD[frequency]
    month = (day.month - 1) // months * months + 1
    return datetime.date(day.year, month, 1)


def period_shift(start: datetime.date, frequency: str, count: int) -> datetime.date:
    """The first day of the period `count` periods after (or before) the one starting `start`."""
    months = start.year * 12 + start.month - 1 + count * MONTHS_PER_PERIOD[frequency]
    return datetime.date(months // 12, months % 12 + 1, 1)


def period_label(start: datetime.date, frequency: str) -> str:
    """A short French label: "2026-03" (month), "T1 2026", "S2 2026", "2026"."""
    if frequency == Frequency.QUARTERLY:
        return f"T{(start.month - 1) // 3 + 1} {start.year}"
    if frequency == Frequency.HALF_YEARLY:
        return f"S{(start.month - 1) // 6 + 1} {start.year}"
    if frequency == Frequency.YEARLY:
        return str(start.year)
    return f"{start:%m/%Y}"


def previous_period(today: datetime.date, frequency: str) -> datetime.date:
    """The period that ended most recently before `today`."""
    return period_shift(period_start(today, frequency), frequency, -1)


# --- where a project is measured, and by whom ------------------------------------------------


def project_cafs(project: Project) -> QuerySet[Caf]:
    """The Caf a measurement may be for: the pilot Caf and its deployments' Caf (not those
    that declined)."""
    deployed = Deployment.objects.filter(project=project).exclude(status=Deployment.Status.DECLINED)
    return Caf.objects.filter(
        Q(pk=project.pilot_caf_id) | Q(pk__in=deployed.values("caf_id"))
    ).order_by("position")


def measurement_cafs_for(user, project: Project) -> tuple[QuerySet[Caf], bool]:
    """The Caf `user` may enter measurements for, and whether the national value too. The lab,
    the lead and the team: every Caf of the project and the national value. A correspondent of
    one of the project's Caf: that Caf only. Anybody else: nothing."""
    cafs = project_cafs(project)
    if user.has_perm("evaluation.change_plan", project):
        return cafs, True
    if user.has_perm("evaluation.enter_measurements", project):
        return cafs.filter(pk=user.caf_id), False
    return cafs.none(), False


def _check_caf_allowed(user, indicator: Indicator, caf: Caf | None) -> None:
    cafs, national = measurement_cafs_for(user, indicator.project)
    if caf is None and not national:
        raise PermissionDenied(_("Vous ne pouvez pas saisir la valeur nationale."))
    if caf is not None and not cafs.filter(pk=caf.pk).exists():
        raise PermissionDenied(_("Vous ne pouvez pas saisir de mesure pour cette Caf."))


# --- entering values -------------------------------------------------------------------------


def _upsert_measurement(
    *, indicator: Indicator, caf: Caf | None, period: datetime.date, values: dict
) -> tuple[Measurement, bool]:
    """One row per indicator × Caf × period (the unique constraints): a second entry updates the
    first. A concurrent insert of the same key loses the race and updates instead."""
    try:
        with transaction.atomic():
            return Measurement.objects.update_or_create(
                indicator=indicator, caf=caf, period=period, defaults=values
            )
    except IntegrityError:
        measurement = Measurement.objects.get(indicator=indicator, caf=caf, period=period)
        for name, value in values.items():
            setattr(measurement, name, value)
        measurement.save()
        return measurement, False


@transaction.atomic
def measurement_save(
    *,
    indicator: Indicator,
    caf: Caf | None,
    period: datetime.date,
    value: Decimal,
    source: str,
    evidence: str = "",
    by,
) -> tuple[Measurement, bool]:
    """Enter (or correct) the value of one period for one Caf (None: national). The period is
    brought to its first day; the Caf must be one `by` may measure (PermissionDenied)."""
    _check_caf_allowed(by, indicator, caf)
    return _upsert_measurement(
        indicator=indicator,
        caf=caf,
        period=period_start(period, indicator.frequency),
        values={"value": value, "source": source, "evidence": evidence, "entered_by": by},
    )


@transaction.atomic
def target_set(*, indicator: Indicator, period: datetime.date, value: Decimal) -> IndicatorTarget:
    """Set the target of a period (a second entry for the same period replaces the first)."""
    target, _created = IndicatorTarget.objects.update_or_create(
        indicator=indicator,
        period=period_start(period, indicator.frequency),
        defaults={"value": value},
    )
    return target


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
        raise RowError(_("valeur non numérique : « %(value)s »") % {"value": text})
    try:
        value = Decimal(cleaned).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    except InvalidOperation as exc:
        raise RowError(_("valeur non numérique : « %(value)s »") % {"value": text}) from exc
    if abs(value) >= Decimal(10) ** 12:
        raise RowError(_("valeur trop grande : « %(value)s »") % {"value": text})
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
        _("période illisible : « %(value)s » (attendu : 2026-T1, 2026-03…)") % {"value": text}
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
                _("indicateur inconnu pour ce projet : « %(name)s »") % {"name": text.strip()}
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
                _("Caf inconnue : « %(code)s » (attendu : le numéro du département, par ex. 38)")
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
                "Colonnes manquantes : %(missing)s. La première ligne doit nommer les colonnes : "
                "%(expected)s."
            ) % {"missing": ", ".join(missing), "expected": ";".join(CSV_COLUMNS)}
            return report
        importer = _Importer(project=project, by=by)
        for row in rows:
            if not row.error and not any(cell.strip() for cell in row.cells):
                continue
            if len(report.lines) >= MAX_IMPORT_ROWS:
                report.error = _(
                    "Le fichier dépasse %(max)s lignes : les suivantes sont ignorées."
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


# --- chart data ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PeriodPoint:
    period: datetime.date
    label: str
    value: Decimal | None
    n_cafs: int
    target: Decimal | None


def indicator_series(indicator: Indicator) -> list[PeriodPoint]:
    """One point per period measured or targeted: the national value when entered, else the
    mean of the Caf values (computed by the database), with the period's target."""
    rows = (
        indicator.measurements.values("period")
        .annotate(
            national=Avg("value", filter=Q(caf__isnull=True)),
            caf_mean=Avg("value", filter=Q(caf__isnull=False)),
            n_cafs=Count("caf"),
        )
        .order_by("period")
    )
    by_period = {row["period"]: row for row in rows}
    targets = {t.period: t.value for t in indicator.targets.all()}
    points = []
    for period in sorted(set(by_period) | set(targets)):
        row = by_period.get(period, {})
        value = row.get("national")
        if value is None:
            value = row.get("caf_mean")
        points.append(
            PeriodPoint(
                period=period,
                label=period_label(period, indicator.frequency),
                value=None if value is None else Decimal(value).quantize(Decimal("0.01")),
                n_cafs=row.get("n_cafs", 0),
                target=targets.get(period),
            )
        )
    return points


def indicator_values_by_caf(indicator: Indicator) -> dict[Caf, dict[datetime.date, Decimal]]:
    """Each Caf's values per period, Caf in the network's order (one query)."""
    by_caf: dict[Caf, dict[datetime.date, Decimal]] = {}
    cafs: dict[int, Caf] = {}
    # Bare values, not a measurement and a Caf instantiated per row: a hundred Caf measured
    # over a few years are a thousand rows.
    rows = (
        indicator.measurements.filter(caf__isnull=False)
        .order_by("caf__position", "period")
        .values_list("caf_id", "caf__code", "caf__name", "caf__position", "period", "value")
    )
    for caf_id, code, name, position, period, value in rows:
        caf = cafs.get(caf_id)
        if caf is None:
            caf = cafs[caf_id] = Caf(pk=caf_id, code=code, name=name, position=position)
        by_caf.setdefault(caf, {})[period] = value
    return by_caf


def indicator_charts(indicator: Indicator, *, multiples: int | None = None) -> dict[str, Any]:
    """What an indicator's page (or a report) draws: `chart`, the line chart of the indicator
    against its baseline and targets (with its table rows); `multiples`, one small chart per
    Caf on a shared scale (the first `multiples` Caf only, if given); `caf_table`, the values
    per Caf and period (their data table, every Caf). Element ids carry the indicator's id, so
    several indicators can share a page."""
    series = indicator_series(indicator)
    labels = [point.label for point in series]
    values = [point.value for point in series]
    targets = [point.target for point in series]
    main = charts.line_chart(
        f"indicateur-{indicator.pk}",
        _("%(name)s au fil des périodes") % {"name": indicator.name},
        labels=labels,
        values=values,
        targets=targets,
        baseline=indicator.baseline_value,
        unit=indicator.unit,
        notes=[str(point.n_cafs) for point in series],
        note_header=_("Caf mesurées"),
    )
    by_caf = indicator_values_by_caf(indicator)
    span = charts.value_range(
        [v for caf_values in by_caf.values() for v in caf_values.values()],
        targets,
        [indicator.baseline_value],
    )
    periods = [point.period for point in series]
    drawn = list(by_caf.items())[:multiples] if multiples is not None else by_caf.items()
    small_charts = [
        charts.line_chart(
            f"indicateur-{indicator.pk}-caf-{caf.code}",
            caf.name,
            labels=labels,
            values=[caf_values.get(period) for period in periods],
            targets=targets,
            baseline=indicator.baseline_value,
            unit=indicator.unit,
            y_range=span,
            small=True,
        )
        for caf, caf_values in drawn
    ]
    caf_table = {
        "cafs": list(by_caf),
        "rows": [
            {
                "label": label,
                "cells": [charts.value_text(by_caf[caf].get(period)) for caf in by_caf],
            }
            for label, period in zip(labels, periods, strict=True)
        ],
    }
    return {"chart": main, "multiples": small_charts, "caf_table": caf_table}


# --- reminders -------------------------------------------------------------------------------


def measurement_reminders_send(*, today: datetime.date) -> int:
    """Remind each indicator's owner (or the project's lead) when the period that just ended
    has no measurement. Once per indicator × period: the MeasurementReminder row is taken
    first (unique), so a second run, even concurrent, sends nothing."""
    from caflab.notifications.services import notify

    sent = 0
    live = Indicator.objects.exclude(
        project__stage__in=[Stage.SHELVED, Stage.ABANDONED, Stage.GENERALISED]
    )
    for frequency in MONTHS_PER_PERIOD:
        period = previous_period(today, frequency)
        due = (
            live.filter(frequency=frequency)
            .exclude(Exists(Measurement.objects.filter(indicator=OuterRef("pk"), period=period)))
            .exclude(
                Exists(MeasurementReminder.objects.filter(indicator=OuterRef("pk"), period=period))
            )
            .select_related("project__lead", "owner")
        )
        for indicator in due:
            try:
                with transaction.atomic():
                    MeasurementReminder.objects.create(indicator=indicator, period=period)
                    recipient = indicator.owner or indicator.project.lead
                    notify(
                        recipients=[recipient],
                        kind="evaluation.measurement_due",
                        title=_("Mesure attendue : %(name)s (%(period)s)")
                        % {"name": indicator.name, "period": period_label(period, frequency)},
                        body=_(
                            "La période %(period)s est terminée et l’indicateur « %(name)s » du "
                            "projet %(code)s n’a pas encore de mesure."
                        )
                        % {
                            "period": period_label(period, frequency),
                            "name": indicator.name,
                            "code": indicator.project.code,
                        },
                        url=reverse("evaluation:indicator-detail", kwargs={"pk": indicator.pk}),
                    )
            except IntegrityError:
                continue  # another run took this reminder
            sent += 1
    return sent
