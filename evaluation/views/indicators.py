"""A project's indicators: the list, an indicator's page (chart against baseline and targets
with its data table, small multiples by Caf, targets and measurements), their forms, and the
CSV import of measurements with its line-by-line report."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Max, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from caflab import widgets
from evaluation.forms.indicators import (
    IndicatorForm,
    MeasurementForm,
    MeasurementImportForm,
    TargetForm,
)
from evaluation.models import Indicator, IndicatorTarget, Measurement
from evaluation.services import indicators as services
from evaluation.services import measurement_import as measurement_file
from evaluation.views.plans import project_for, require_plan_editor, visible_projects

# Rows of the measurements table per page; small charts by Caf drawn on the page.
MEASUREMENTS_PER_PAGE = 25
SMALL_MULTIPLES = 12


def _indicator_for(request: HttpRequest, pk: int) -> Indicator:
    return get_object_or_404(
        Indicator.objects.filter(project__in=visible_projects(request)).select_related(
            "project__lead", "project__pilot_caf", "owner", "question"
        ),
        pk=pk,
    )


def indicator_url(indicator: Indicator, anchor: str = "") -> str:
    url = reverse("evaluation:indicator-detail", kwargs={"pk": indicator.pk})
    return f"{url}#{anchor}" if anchor else url


@login_required
def indicator_list(request: HttpRequest, code: str) -> HttpResponse:
    """The project's indicators with their baseline, targets and how far they are measured: a
    fixed number of queries whatever the number of indicators and measurements."""
    project = project_for(request, code)
    indicators = list(
        project.indicators.select_related("owner")
        .prefetch_related(Prefetch("targets", IndicatorTarget.objects.order_by("period")))
        .annotate(
            n_measurements=Count("measurements", distinct=True),
            n_cafs=Count("measurements__caf", distinct=True),
            last_period=Max("measurements__period"),
        )
        .order_by("position", "pk")
    )
    for indicator in indicators:
        indicator.last_period_label = (
            services.period_label(indicator.last_period, indicator.frequency)
            if indicator.last_period
            else ""
        )
        targets = list(indicator.targets.all())
        indicator.final_target = targets[-1] if targets else None
    user = request.user
    return render(
        request,
        "evaluation/indicators/indicator_list.html",
        {
            "project": project,
            "indicators": indicators,
            "can_edit": user.has_perm("evaluation.change_plan", project),
            "can_measure": user.has_perm("evaluation.enter_measurements", project),
        },
    )


def _indicator_form_page(request, *, project, indicator=None) -> HttpResponse:
    form = IndicatorForm(request.POST or None, instance=indicator, project=project)
    if request.method == "POST" and form.is_valid():
        saved = form.save()
        messages.success(
            request, _("L’indicateur « %(name)s » est enregistré.") % {"name": saved.name}
        )
        return redirect(indicator_url(saved))
    heading = _("Modifier l’indicateur") if indicator else _("Nouvel indicateur")
    back = (
        indicator_url(indicator)
        if indicator
        else reverse("evaluation:indicator-list", kwargs={"code": project.code})
    )
    return render(
        request,
        "evaluation/plans/item_form.html",
        {"project": project, "form": form, "heading": heading, "back": back},
    )


@login_required
def indicator_create(request: HttpRequest, code: str) -> HttpResponse:
    project = project_for(request, code)
    require_plan_editor(request, project)
    return _indicator_form_page(request, project=project)


@login_required
def indicator_update(request: HttpRequest, pk: int) -> HttpResponse:
    indicator = _indicator_for(request, pk)
    require_plan_editor(request, indicator.project)
    return _indicator_form_page(request, project=indicator.project, indicator=indicator)


def _detail_page(
    request: HttpRequest,
    indicator: Indicator,
    *,
    target_form: TargetForm | None = None,
    measurement_form: MeasurementForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    project = indicator.project
    can_edit = user.has_perm("evaluation.change_plan", project)
    cafs, national = services.measurement_cafs_for(user, project)
    can_measure = user.has_perm("evaluation.enter_measurements", project)
    if can_edit and target_form is None:
        target_form = TargetForm()
    if can_measure and measurement_form is None:
        measurement_form = MeasurementForm(cafs=cafs, national_allowed=national)
    if measurement_form is not None:  # the 101 Caf: <option>s written in Python
        caf_field = measurement_form.fields["caf"]
        caf_field.widget = widgets.Select(attrs=caf_field.widget.attrs, choices=caf_field.choices)
    # The measurements table pages (MEASUREMENTS_PER_PAGE, latest periods first, ?mesures=):
    # hundreds of rows would weigh hundreds of kB. The charts and their tables show them all.
    paginator = Paginator(
        indicator.measurements.select_related("caf", "entered_by").order_by(
            "-period", "caf__position", "pk"
        ),
        MEASUREMENTS_PER_PAGE,
    )
    measurements = paginator.get_page(request.GET.get("mesures"))
    own_caf = None if can_edit else user.caf_id
    for measurement in measurements:
        measurement.period_label = services.period_label(measurement.period, indicator.frequency)
        measurement.can_delete = can_edit or (can_measure and measurement.caf_id == own_caf)
    targets = list(indicator.targets.order_by("period"))
    for target in targets:
        target.period_label = services.period_label(target.period, indicator.frequency)
    context = {
        "project": project,
        "indicator": indicator,
        "targets": targets,
        "measurements": measurements,
        "can_edit": can_edit,
        "can_measure": can_measure,
        "target_form": target_form if can_edit else None,
        "measurement_form": measurement_form if can_measure else None,
        **_capped(services.indicator_charts(indicator, multiples=SMALL_MULTIPLES)),
    }
    return render(request, "evaluation/indicators/indicator_detail.html", context, status=status)


def _capped(charts: dict) -> dict:
    """At most SMALL_MULTIPLES small charts by Caf (each weighs about 4 kB); the table of the
    values by Caf and period keeps every Caf, so nothing drawn is missing from the data."""
    multiples = charts.get("multiples") or []
    # A hundred Caf × every period: the table's cells are written in Python, not a template
    # loop (hundreds of iterations).
    for row in charts["caf_table"]["rows"]:
        row["cells_html"] = format_html_join(
            "", '<td class="text-end">{}</td>', ((cell,) for cell in row["cells"])
        )
    return {
        **charts,
        "multiples": multiples[:SMALL_MULTIPLES],
        "n_multiples_hidden": max(len(charts["caf_table"]["cafs"]) - SMALL_MULTIPLES, 0),
    }


@login_required
def indicator_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail_page(request, _indicator_for(request, pk))


@require_POST
@login_required
def target_set(request: HttpRequest, pk: int) -> HttpResponse:
    indicator = _indicator_for(request, pk)
    require_plan_editor(request, indicator.project)
    form = TargetForm(request.POST)
    if not form.is_valid():
        return _detail_page(request, indicator, target_form=form)
    services.target_set(
        indicator=indicator, period=form.cleaned_data["period"], value=form.cleaned_data["value"]
    )
    messages.success(request, _("La cible est enregistrée."))
    return redirect(indicator_url(indicator, "cibles"))


@require_POST
@login_required
def target_delete(request: HttpRequest, pk: int) -> HttpResponse:
    target = get_object_or_404(
        IndicatorTarget.objects.filter(
            indicator__project__in=visible_projects(request)
        ).select_related("indicator__project"),
        pk=pk,
    )
    require_plan_editor(request, target.indicator.project)
    target.delete()
    messages.success(request, _("La cible est supprimée."))
    return redirect(indicator_url(target.indicator, "cibles"))


@require_POST
@login_required
def measurement_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Enter a value; one already entered for the same period and Caf is corrected."""
    indicator = _indicator_for(request, pk)
    if not request.user.has_perm("evaluation.enter_measurements", indicator.project):
        raise PermissionDenied
    cafs, national = services.measurement_cafs_for(request.user, indicator.project)
    form = MeasurementForm(request.POST, cafs=cafs, national_allowed=national)
    if not form.is_valid():
        return _detail_page(request, indicator, measurement_form=form)
    data = form.cleaned_data
    _measurement, created = services.measurement_save(
        indicator=indicator,
        caf=data["caf"],
        period=data["period"],
        value=data["value"],
        source=data["source"],
        evidence=data["evidence"],
        by=request.user,
    )
    messages.success(
        request,
        _("La mesure est enregistrée.") if created else _("La mesure existante est corrigée."),
    )
    return redirect(indicator_url(indicator, "mesures"))


@require_POST
@login_required
def measurement_delete(request: HttpRequest, pk: int) -> HttpResponse:
    measurement = get_object_or_404(
        Measurement.objects.filter(indicator__project__in=visible_projects(request)).select_related(
            "indicator__project"
        ),
        pk=pk,
    )
    project = measurement.indicator.project
    user = request.user
    allowed = user.has_perm("evaluation.change_plan", project) or (
        user.has_perm("evaluation.enter_measurements", project)
        and measurement.caf_id is not None
        and measurement.caf_id == user.caf_id
    )
    if not allowed:
        raise PermissionDenied
    measurement.delete()
    messages.success(request, _("La mesure est supprimée."))
    return redirect(indicator_url(measurement.indicator, "mesures"))


@login_required
def measurement_import(request: HttpRequest, code: str) -> HttpResponse:
    """Upload a CSV or XLSX file of measurements; the page shows, line by line, what was
    imported and what was rejected, and why (never a 500, whatever the file)."""
    project = project_for(request, code)
    if not request.user.has_perm("evaluation.enter_measurements", project):
        raise PermissionDenied
    form = MeasurementImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        upload.seek(0)
        report = measurement_file.measurements_import(
            project=project, by=request.user, data=upload.read()
        )
        form = MeasurementImportForm()
    cafs, national = services.measurement_cafs_for(request.user, project)
    return render(
        request,
        "evaluation/indicators/measurement_import.html",
        {
            "project": project,
            "form": form,
            "report": report,
            "indicators": list(project.indicators.order_by("position", "pk")),
            "cafs": list(cafs),
            "national_allowed": national,
            "columns": measurement_file.CSV_COLUMNS,
        },
    )


@login_required
def measurement_template(request: HttpRequest, code: str) -> HttpResponse:
    project = project_for(request, code)
    if not request.user.has_perm("evaluation.enter_measurements", project):
        raise PermissionDenied
    response = HttpResponse(
        measurement_file.template_csv(project, request.user),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="mesures-{project.code}.csv"'
    return response
