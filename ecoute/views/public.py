"""The public pages: the landing page listing consultations, and one consultation's page with
its privacy notice."""

from typing import Any

from django.db.models import Prefetch, Q
from django.urls import reverse
from django.utils.translation import get_language
from django.views.generic import DetailView, TemplateView
from rules.contrib.views import PermissionRequiredMixin

from ecoute.models import Consultation
from ecoute.models.consultations import visibility_key
from ecoute.public_cache import cached_public, public_version
from ecoute.services import has_answered
from ecoute.services.consultations import has_questions
from ecoute.views.common import consultation_for
from ecoute.views.restitution import consultation_extras
from projects.models import Project

Status = Consultation.Status


class ConsultationIndexView(PermissionRequiredMixin, TemplateView):
    """Open consultations first, then those to come, then the ten last finished ones; each
    visitor sees the ones open to them (anonymous visitors: the public ones).

    The same for every visitor who sees the same consultations: the lists and their rendered
    cards are cached under the visitor's `visibility_key` until a consultation changes."""

    permission_required = "ecoute.view_consultations"
    template_name = "ecoute/index.html"
    FINISHED_SHOWN = 10

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        audience = visibility_key(user)

        def listed() -> dict[str, list[Consultation]]:
            # Reserved consultations (ecoute.reserved) are reached by their own link only: the
            # list is shared by everyone of the same visibility key.
            visible = Consultation.objects.visible_to(user).unreserved()
            last_finished = (
                visible.filter(status__in=[Status.CLOSED, Status.RESULTS_PUBLISHED])
                .order_by("-closes_at", "-pk")
                .values("pk")[: self.FINISHED_SHOWN]
            )
            shown = list(
                visible.filter(
                    Q(status__in=[Status.OPEN, Status.SCHEDULED]) | Q(pk__in=last_finished)
                )
                .for_cards()
                .prefetch_related("perimeter_cafs")
                .order_by("closes_at", "pk")
            )
            by_status: dict[str, list[Consultation]] = {s: [] for s in Status.values}
            for consultation in shown:
                by_status[consultation.status].append(consultation)
            finished = by_status[Status.CLOSED] + by_status[Status.RESULTS_PUBLISHED]
            return {
                "open_consultations": by_status[Status.OPEN],
                "upcoming": by_status[Status.SCHEDULED],
                "finished": sorted(finished, key=lambda c: (c.closes_at, c.pk), reverse=True),
            }

        context.update(
            cached_public(f"index:{audience}", listed),
            # The cards' fragment (templates/ecoute/index.html) is cached under the same key.
            cards_key=f"{public_version()}:{audience}:{get_language()}",
            can_manage=user.has_perm("ecoute.add_consultation"),
        )
        return context


class ConsultationDetailView(DetailView):
    template_name = "ecoute/consultation_detail.html"
    context_object_name = "consultation"

    def get_object(self, queryset: Any = None) -> Consultation:
        return consultation_for(
            self.request,
            queryset=Consultation.objects.select_related("caf", "questionnaire").prefetch_related(
                "perimeter_cafs",
                Prefetch("projects", queryset=Project.objects.order_by("code")),
            ),
            slug=self.kwargs["slug"],
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        consultation = self.object
        user = self.request.user
        visible_projects = set(
            Project.objects.visible_to(user)
            .filter(consultations=consultation)
            .values_list("pk", flat=True)
        )
        public_projects = set(
            Project.objects.published()
            .filter(consultations=consultation)
            .values_list("pk", flat=True)
        )
        projects = []
        for project in consultation.projects.all():
            if project.pk in visible_projects:
                projects.append({"title": project.title, "url": project.get_absolute_url()})
            elif project.pk in public_projects:
                url = reverse("projects:public-sheet", kwargs={"code": project.code})
                projects.append({"title": project.title, "url": url})
        questionnaire = getattr(consultation, "questionnaire", None)
        if consultation.collects_contributions and not has_questions(consultation):
            questionnaire = None  # a call for ideas alone: nothing to answer
        context.update(
            projects=projects,
            can_manage=user.has_perm("ecoute.manage_consultation", consultation),
            can_answer=consultation.is_open
            and questionnaire is not None
            and (
                user.has_perm("ecoute.answer_consultation", consultation)
                or (not user.is_authenticated and consultation.accepts_anonymous)
            ),
            needs_login=consultation.is_open
            and questionnaire is not None
            and not user.is_authenticated
            and not consultation.accepts_anonymous,
            can_assist=questionnaire is not None
            and user.has_perm("ecoute.assist_consultation", consultation),
            already_answered=bool(
                questionnaire
                and not consultation.allow_anonymous
                and has_answered(questionnaire, user)
            ),
        )
        context.update(consultation_extras(consultation, user))  # restitution, recruitments
        return context
