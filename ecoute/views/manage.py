"""Managing consultations: the managers' list, create, edit, the consultation's dashboard and
its status moves. Managers: the lab and moderators (all), correspondents (their Caf's)."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django.views.generic import DetailView, FormView, ListView, UpdateView
from rules.contrib.views import PermissionRequiredMixin

from ecoute import services
from ecoute.forms.builder import StatusForm
from ecoute.forms.consultations import ConsultationForm, RestitutionFilterForm
from ecoute.models import Consultation, ExportJob, Restitution
from ecoute.services.batches import pending_count
from ecoute.services.common import AlreadyDone
from ecoute.services.recruitment import consultation_recruitments
from ecoute.views.common import managed_consultation

Status = Consultation.Status

# The moves offered on the dashboard, per status: (action, button label, button style).
ACTIONS = {
    Status.DRAFT: [("publish", gettext_lazy("Publier"), "primary")],
    Status.SCHEDULED: [("unpublish", gettext_lazy("Repasser en brouillon"), "outline-secondary")],
    Status.OPEN: [("close", gettext_lazy("Clore maintenant"), "outline-danger")],
    Status.CLOSED: [
        ("publish_results", gettext_lazy("Marquer les résultats publiés"), "primary"),
        ("archive", gettext_lazy("Archiver"), "outline-secondary"),
    ],
    Status.RESULTS_PUBLISHED: [("archive", gettext_lazy("Archiver"), "outline-secondary")],
    Status.ARCHIVED: [],
}


class ManageListView(LoginRequiredMixin, PermissionRequiredMixin, ListView):
    permission_required = "ecoute.add_consultation"
    template_name = "ecoute/manage_list.html"
    context_object_name = "consultations"
    paginate_by = 25

    def get_queryset(self) -> Any:
        consultations = Consultation.objects.managed_by(self.request.user)
        self.filter_form = RestitutionFilterForm(self.request.GET or None)
        wanted = self.filter_form.cleaned_data["restitution"] if self.filter_form.is_valid() else ""
        if wanted == "due":
            consultations = consultations.restitution_due()
        elif wanted == "overdue":
            consultations = consultations.restitution_overdue()
        return (
            consultations.select_related("caf", "owner")
            .with_restitution_state()
            .annotate(n_responses=Count("questionnaire__responses"))
            .order_by("-created_at", "-pk")
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "filter_form": self.filter_form}


class ConsultationCreateView(LoginRequiredMixin, PermissionRequiredMixin, FormView):
    permission_required = "ecoute.add_consultation"
    form_class = ConsultationForm
    template_name = "ecoute/consultation_form.html"

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form: ConsultationForm) -> HttpResponse:
        data = dict(form.cleaned_data)
        consultation = services.consultation_create(by=self.request.user, **data)
        messages.success(
            self.request,
            _("La consultation est créée, en brouillon. Construisez maintenant son questionnaire."),
        )
        return redirect("ecoute:builder", pk=consultation.pk)


class ConsultationUpdateView(LoginRequiredMixin, UpdateView):
    form_class = ConsultationForm
    template_name = "ecoute/consultation_form.html"
    context_object_name = "consultation"

    def get_object(self, queryset: Any = None) -> Consultation:
        return managed_consultation(self.request, self.kwargs["pk"])

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form: ConsultationForm) -> HttpResponse:
        consultation = form.save()
        messages.success(self.request, _("La consultation est enregistrée."))
        return redirect(consultation.get_manage_url())


class ManageDetailView(LoginRequiredMixin, DetailView):
    """A consultation's dashboard for its managers: status and its moves, counts, links."""

    template_name = "ecoute/manage_detail.html"
    context_object_name = "consultation"

    def get_object(self, queryset: Any = None) -> Consultation:
        return managed_consultation(self.request, self.kwargs["pk"])

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        consultation = self.object
        questionnaire = consultation.questionnaire
        counts = questionnaire.responses.order_by().aggregate(
            total=Count("pk"),
            anonymous=Count("pk", filter=Q(is_anonymous=True)),
            assisted=Count("pk", filter=Q(is_assisted=True)),
        )
        context.update(
            actions=ACTIONS[consultation.status],
            counts=counts,
            n_questions=questionnaire.questions.filter(is_hidden=False).count(),
            hear_back=questionnaire.hear_back_requests.count(),
            waiting=pending_count(questionnaire),
            my_exports=ExportJob.objects.filter(
                questionnaire=questionnaire, requested_by=self.request.user
            )[:5],
        )
        restitution = Restitution.objects.filter(consultation=consultation).first()
        context.update(  # phase 2: restitution (and its latest e-mail run) and recruitments
            restitution=restitution,
            mailing=restitution.mailings.first() if restitution else None,
            recruitments=consultation_recruitments(consultation),
            decisions=list(restitution.decisions.order_by("position", "pk")) if restitution else [],
            # The lab may archive a closed consultation without restitution, saying why.
            can_waive=self.request.user.is_lab_staff
            and consultation.status in (Status.CLOSED, Status.RESULTS_PUBLISHED)
            and not (restitution and restitution.is_published),
        )
        context["history"] = list(consultation.status_changes.select_related("changed_by"))
        return context


@require_POST
@login_required
def status_move(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = managed_consultation(request, pk)
    form = StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Action inconnue."))
        return redirect(consultation.get_manage_url())
    try:
        consultation = services.consultation_move(
            consultation=consultation, action=form.cleaned_data["action"], by=request.user
        )
    except AlreadyDone as done:
        messages.info(request, str(done))
    except ValidationError as refused:
        messages.error(request, refused.messages[0])
    else:
        messages.success(
            request,
            _("Statut de la consultation : %(status)s.")
            % {"status": consultation.get_status_display().lower()},
        )
    return redirect(consultation.get_manage_url())
