"""Recruiting participants: the recruitment's page with its registration form, "my
registrations", cancelling (from the account, or from the e-mailed link for a visitor), and for
the consultation's managers: create, edit, the list of registrations and its CSV export."""

import contextlib
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Case, IntegerField, Value, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from caflab.core import audit
from caflab.core.models import AuditEvent
from caflab.core.spreadsheets import to_csv
from ecoute.forms.recruitment import (
    EligibilityFormSet,
    RecruitmentForm,
    RegistrationForm,
    eligibility_initial,
)
from ecoute.models import Recruitment, Registration
from ecoute.services.common import AlreadyDone
from ecoute.services.recruitment import (
    NotEligible,
    RegistrationClosed,
    recruitment_save,
    registration_cancel,
    registration_create,
    waiting_position,
    waiting_positions,
)
from ecoute.views.common import managed_consultation

RegStatus = Registration.Status


# --- managers -------------------------------------------------------------------------------


def managed_recruitment(request: HttpRequest, pk: int) -> Recruitment:
    recruitment = get_object_or_404(Recruitment.objects.select_related("consultation"), pk=pk)
    managed_consultation(request, recruitment.consultation_id)
    return recruitment


def _recruitment_form_page(
    request: HttpRequest, consultation: Any, recruitment: Recruitment | None
) -> HttpResponse:
    instance = recruitment or Recruitment(consultation=consultation)
    if request.method == "POST":
        form = RecruitmentForm(request.POST, instance=instance)
        formset = EligibilityFormSet(request.POST, prefix="eligibility")
        if form.is_valid() and formset.is_valid():
            saved = recruitment_save(
                recruitment=form.instance, questions=formset.specs(), by=request.user
            )
            messages.success(request, _("Le recrutement est enregistré."))
            return redirect(saved.get_manage_url())
    else:
        form = RecruitmentForm(instance=instance)
        formset = EligibilityFormSet(
            initial=eligibility_initial(recruitment) if recruitment else [], prefix="eligibility"
        )
    return render(
        request,
        "ecoute/recruitment/form.html",
        {
            "consultation": consultation,
            "recruitment": recruitment,
            "form": form,
            "formset": formset,
        },
    )


@login_required
def recruitment_create(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = managed_consultation(request, pk)
    return _recruitment_form_page(request, consultation, None)


@login_required
def recruitment_update(request: HttpRequest, pk: int) -> HttpResponse:
    recruitment = managed_recruitment(request, pk)
    return _recruitment_form_page(request, recruitment.consultation, recruitment)


STATUS_ORDER = Case(
    When(status=RegStatus.CONFIRMED, then=Value(0)),
    When(status=RegStatus.WAITING, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


def _registrations(recruitment: Recruitment) -> list[Registration]:
    return list(
        recruitment.registrations.select_related("user").order_by(
            STATUS_ORDER, "registered_at", "pk"
        )
    )


@login_required
def recruitment_manage(request: HttpRequest, pk: int) -> HttpResponse:
    """The registrations, confirmed, then waiting (in their order), then cancelled. A fixed
    number of queries whatever their number."""
    recruitment = managed_recruitment(request, pk)
    groups: dict[str, list[Registration]] = {s: [] for s in RegStatus.values}
    for registration in _registrations(recruitment):
        groups[registration.status].append(registration)
    return render(
        request,
        "ecoute/recruitment/manage.html",
        {
            "consultation": recruitment.consultation,
            "recruitment": recruitment,
            "confirmed": groups[RegStatus.CONFIRMED],
            "waiting": groups[RegStatus.WAITING],
            "cancelled": groups[RegStatus.CANCELLED],
        },
    )


@login_required
def recruitment_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The registrations as CSV for French Excel, formula-safe (caflab.core.spreadsheets)."""
    recruitment = managed_recruitment(request, pk)
    header = [_("Statut"), _("Nom"), _("Adresse e-mail"), _("Téléphone"), _("Inscrit le")]
    rows = [
        [
            registration.get_status_display(),
            registration.display_name,
            registration.contact_email,
            registration.phone,
            timezone.localtime(registration.registered_at),
        ]
        for registration in _registrations(recruitment)
    ]
    audit.record(
        action=AuditEvent.Action.EXPORT,
        by=request.user,
        target=recruitment,
        details={"what": "registrations", "format": "csv", "rows": len(rows)},
        request=request,
    )
    response = HttpResponse(to_csv(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="inscriptions-{recruitment.pk}.csv"'
    return response


# --- participants -----------------------------------------------------------------------------


def _visible_recruitment(request: HttpRequest, pk: int) -> Recruitment:
    return get_object_or_404(
        Recruitment.objects.visible_to(request.user).select_related("consultation"), pk=pk
    )


def _current_registration(recruitment: Recruitment, user: Any) -> Registration | None:
    if not user.is_authenticated:
        return None
    return recruitment.registrations.live().filter(user=user).first()


def recruitment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The recruitment and its registration form (GET shows, POST registers)."""
    recruitment = _visible_recruitment(request, pk)
    user = request.user
    visitor = not user.is_authenticated
    current = _current_registration(recruitment, user)
    form = RegistrationForm(
        request.POST if request.method == "POST" else None,
        recruitment=recruitment,
        visitor=visitor,
    )
    outcome: dict[str, Any] = {}
    if request.method == "POST" and current is None and form.is_valid():
        contact = (
            {} if not visitor else {k: form.cleaned_data[k] for k in ("name", "email", "phone")}
        )
        try:
            registration = registration_create(
                recruitment=recruitment, answers=form.answers(), user=user, **contact
            )
        except NotEligible:
            outcome["not_eligible"] = True
        except RegistrationClosed:
            messages.error(request, _("Les inscriptions ne sont pas ouvertes."))
        except AlreadyDone:
            messages.info(request, _("Vous êtes déjà inscrit à ce recrutement."))
            return redirect(recruitment.get_absolute_url())
        else:
            if visitor:
                return render(
                    request,
                    "ecoute/recruitment/registered.html",
                    {
                        "recruitment": recruitment,
                        "consultation": recruitment.consultation,
                        "registration": registration,
                        "position": waiting_position(registration),
                    },
                )
            return redirect(recruitment.get_absolute_url())
    return render(
        request,
        "ecoute/recruitment/detail.html",
        {
            "recruitment": recruitment,
            "consultation": recruitment.consultation,
            "form": form,
            "current": current,
            "position": waiting_position(current) if current else None,
            "is_open": recruitment.is_registration_open(),
            "n_confirmed": recruitment.registrations.filter(status=RegStatus.CONFIRMED).count(),
            **outcome,
        },
    )


@login_required
def my_registrations(request: HttpRequest) -> HttpResponse:
    registrations = list(
        Registration.objects.filter(user=request.user)
        .select_related("recruitment__consultation")
        .order_by("-recruitment__starts_at", "-pk")
    )
    positions = waiting_positions(registrations)
    for registration in registrations:
        registration.position = positions.get(registration.pk)
    return render(request, "ecoute/recruitment/mine.html", {"registrations": registrations})


@require_POST
@login_required
def registration_cancel_view(request: HttpRequest, pk: int) -> HttpResponse:
    registration = get_object_or_404(Registration, pk=pk, user=request.user)
    try:
        registration_cancel(registration=registration)
    except AlreadyDone:
        messages.info(request, _("Cette inscription est déjà annulée."))
    else:
        messages.success(request, _("Votre inscription est annulée. Merci de nous avoir prévenus."))
    return redirect("ecoute:my-registrations")


def registration_cancel_link(request: HttpRequest, token: str) -> HttpResponse:
    """A visitor's cancellation, from the link in their e-mail: a page to confirm, then POST."""
    registration = get_object_or_404(
        Registration.objects.select_related("recruitment__consultation"), cancel_token=token
    )
    done = registration.status == RegStatus.CANCELLED
    if request.method == "POST" and not done:
        with contextlib.suppress(AlreadyDone):  # cancelled meanwhile: the same outcome
            registration_cancel(registration=registration)
        done = True
    return render(
        request,
        "ecoute/recruitment/cancel.html",
        {"registration": registration, "recruitment": registration.recruitment, "done": done},
    )
