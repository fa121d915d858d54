"""Flows of indicators and measurements: periods, who may measure in which Caf, entering a
measurement, the chart data, and the reminder of a measurement due (the file import is
measurement_import.py)."""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Avg, Count, Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from caflab.core import charts
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
                        title=_("Mesure attendue : %(name)s (%(period)s)")
                        % {"name": indicator.name, "period": period_label(period, frequency)},
                        body=_(
                            "La période %(period)s est terminée et l’indicateur « %(name)s » du "
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
