"""Answering a consultation's questionnaire, one section per page, as a respondent, as an agent
entering a visitor's answer (assisted), or as a manager previewing it.

Works without JavaScript: each page is a plain form; the answers given so far wait in the
session until the last page sends them all; questions whose condition depends on an earlier
page are decided on the server. Anonymous visitors get a participation cookie (a random token
naming the browser, strictly needed to refuse a second answer: no consent banner required).
"""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView

from caflab.core.clientip import client_ip
from caflab.network.models import Caf
from ecoute.answering_session import AnsweringSession
from ecoute.forms.answering import FinishForm, SectionAnswerForm
from ecoute.models import Consultation
from ecoute.services import (
    AlreadyAnswered,
    IncompleteAnswers,
    RateLimited,
    account_participation_key,
    browser_participation_key,
    has_answered,
    has_participated,
    new_browser_token,
)
from ecoute.services.answering import anonymous_challenge, anonymous_challenge_needed
from ecoute.views.common import consultation_for

PARTICIPATION_COOKIE = "ecoute_participation"
PARTICIPATION_COOKIE_AGE = 60 * 60 * 24 * 400  # about 13 months, the CNIL's longest
# The proof of work of a busy connection (caflab.core.pow), posted with the last page.
PROOF_CHALLENGE_FIELD = "defi"
PROOF_COUNTER_FIELD = "preuve"


class AnswerView(View):
    """GET ?etape=N shows step N; POST validates it, keeps its answers in the session and goes
    to the next step, or, on the last one, sends the response."""

    mode = "respond"  # "assist" (an agent for a visitor) or "preview" (a manager, nothing saved)
    template_name = "ecoute/answer.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if self.mode != "respond" and not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return super().dispatch(request, *args, **kwargs)

    # --- who may answer what ------------------------------------------------------------------
    def get_consultation(self) -> Consultation:
        queryset = Consultation.objects.select_related("questionnaire").prefetch_related(
            "perimeter_cafs"
        )
        if self.mode == "preview":
            return consultation_for(
                self.request,
                perm="ecoute.manage_consultation",
                queryset=queryset,
                pk=self.kwargs["pk"],
            )
        consultation = consultation_for(self.request, queryset=queryset, slug=self.kwargs["slug"])
        if self.mode == "assist" and not self.request.user.has_perm(
            "ecoute.assist_consultation", consultation
        ):
            raise PermissionDenied
        return consultation

    def refusal(self, consultation: Consultation) -> HttpResponse | None:
        """Why this person cannot answer now, as a response; None when they can."""
        if self.mode == "preview":
            return None
        request, user = self.request, self.request.user
        if not consultation.is_open:
            messages.info(request, _("Cette consultation n’est pas ouverte aux réponses."))
            return redirect(consultation)
        if self.mode == "assist":
            return None
        if not user.is_authenticated:
            if not consultation.accepts_anonymous:
                return redirect_to_login(request.get_full_path())
        elif not user.has_perm("ecoute.answer_consultation", consultation):
            raise PermissionDenied
        if self.already_answered(consultation):
            return render(request, "ecoute/already_answered.html", {"consultation": consultation})
        return None

    def already_answered(self, consultation: Consultation) -> bool:
        questionnaire, user = consultation.questionnaire, self.request.user
        if not consultation.allow_anonymous:
            return has_answered(questionnaire, user)
        token = self.request.COOKIES.get(PARTICIPATION_COOKIE, "")
        keys = [browser_participation_key(questionnaire, token) if token else ""]
        if user.is_authenticated:
            keys.append(account_participation_key(questionnaire, user))
        return has_participated(questionnaire, keys)

    # --- pages --------------------------------------------------------------------------------
    def answering(self, consultation: Consultation, step: str | None) -> AnsweringSession:
        return AnsweringSession(
            consultation=consultation, session=self.request.session, mode=self.mode, step=step
        )

    def step_url(self, consultation: Consultation, number: int) -> str:
        if self.mode == "preview":
            base = reverse("ecoute:preview", kwargs={"pk": consultation.pk})
        elif self.mode == "assist":
            base = reverse("ecoute:assist", kwargs={"slug": consultation.slug})
        else:
            base = reverse("ecoute:answer", kwargs={"slug": consultation.slug})
        return f"{base}?etape={number}"

    def finish_form(self, consultation: Consultation, data: Any = None) -> FinishForm:
        user = self.request.user
        ask_caf = not (user.is_authenticated and user.caf_id)
        perimeter = list(consultation.perimeter_cafs.all())
        cafs = Caf.objects.filter(pk__in=[c.pk for c in perimeter]) if perimeter else None
        return FinishForm(data, ask_caf=ask_caf, cafs=cafs)

    def render_step(
        self,
        answering: AnsweringSession,
        form: SectionAnswerForm,
        finish: FinishForm | None = None,
        status: int = 200,
        error: str = "",
    ) -> HttpResponse:
        consultation, steps, step = answering.consultation, answering.steps, answering.step
        is_last = answering.is_last
        context = {
            "consultation": consultation,
            "questionnaire": consultation.questionnaire,
            "mode": self.mode,
            "steps": steps,
            "step": step,
            "form": form,
            "finish_form": finish or (self.finish_form(consultation) if is_last else None),
            "is_last": is_last,
            "previous_url": self.step_url(consultation, step.number - 1) if step.number > 1 else "",
            "error": error,
            "progress_percent": round(100 * (step.number - 1) / len(steps)),
            "challenge": self.challenge(consultation) if is_last else None,
        }
        response = render(self.request, self.template_name, context, status=status)
        self.ensure_cookie(consultation, response)
        return response

    def challenge(self, consultation: Consultation):
        """A proof-of-work challenge for the last page, when this anonymous visitor's
        connection sent many answers already; None otherwise."""
        if self.mode != "respond" or self.request.user.is_authenticated:
            return None
        if not consultation.allow_anonymous:
            return None
        if not anonymous_challenge_needed(client_ip(self.request)):
            return None
        return anonymous_challenge(consultation.questionnaire)

    def ensure_cookie(self, consultation: Consultation, response: HttpResponse) -> None:
        if self.mode != "respond" or not consultation.allow_anonymous:
            return
        if not self.request.COOKIES.get(PARTICIPATION_COOKIE):
            response.set_cookie(
                PARTICIPATION_COOKIE,
                new_browser_token(),
                max_age=PARTICIPATION_COOKIE_AGE,
                httponly=True,
                samesite="Lax",
                secure=getattr(settings, "SESSION_COOKIE_SECURE", False),
            )

    def get(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        consultation = self.get_consultation()
        refused = self.refusal(consultation)
        if refused is not None:
            return refused
        answering = self.answering(consultation, request.GET.get("etape"))
        if answering.step is None:
            messages.info(request, _("Ce questionnaire ne compte encore aucune question."))
            return redirect(self.done_url(consultation))
        return self.render_step(answering, answering.form())

    def post(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        consultation = self.get_consultation()
        refused = self.refusal(consultation)
        if refused is not None:
            return refused
        answering = self.answering(consultation, request.POST.get("etape"))
        if answering.step is None:
            return redirect(self.done_url(consultation))
        form = answering.form(request.POST)
        move = answering.move(form, going_back="precedent" in request.POST)
        if move.invalid:
            finish = self.finish_form(consultation, request.POST) if answering.is_last else None
            return self.render_step(answering, form, finish)
        if not move.finishes:
            return redirect(self.step_url(consultation, move.to_step))
        finish = self.finish_form(consultation, request.POST)
        if not finish.is_valid():
            answering.save()
            return self.render_step(answering, form, finish)
        return self.submit(answering, form, finish)

    def submit(
        self, answering: AnsweringSession, form: SectionAnswerForm, finish: FinishForm
    ) -> HttpResponse:
        request, consultation = self.request, answering.consultation
        try:
            answering.submit(
                user=request.user,
                browser_token=request.COOKIES.get(PARTICIPATION_COOKIE, ""),
                client_ip=client_ip(request),
                caf=finish.cleaned_data.get("caf"),
                hear_back_email=finish.cleaned_data.get("hear_back_email") or "",
                proof_token=request.POST.get(PROOF_CHALLENGE_FIELD, ""),
                proof_counter=request.POST.get(PROOF_COUNTER_FIELD, ""),
            )
        except IncompleteAnswers as incomplete:
            return self.back_to_missing(answering, incomplete.missing)
        except AlreadyAnswered as done:
            messages.info(request, str(done))
            return render(request, "ecoute/already_answered.html", {"consultation": consultation})
        except RateLimited as limited:
            return self.render_step(answering, form, finish, status=429, error=str(limited))
        except ValidationError as invalid:
            return self.render_step(answering, form, finish, status=400, error=invalid.messages[0])
        if self.mode == "preview":
            messages.success(
                request,
                _("Aperçu terminé : ces réponses auraient été envoyées. Rien n’a été enregistré."),
            )
            return redirect("ecoute:builder", pk=consultation.pk)
        if self.mode == "assist":
            messages.success(
                request, _("La réponse du visiteur est enregistrée, marquée « saisie assistée ».")
            )
            return redirect(consultation)
        return redirect("ecoute:thanks", slug=consultation.slug)

    def back_to_missing(self, answering: AnsweringSession, missing: list) -> HttpResponse:
        number = answering.step_of(missing[0])
        messages.error(
            self.request,
            _("La question « %(q)s » est obligatoire : merci d’y répondre.")
            % {"q": missing[0].label},
        )
        return redirect(self.step_url(answering.consultation, number))

    def done_url(self, consultation: Consultation) -> str:
        if self.mode == "preview":
            return reverse("ecoute:builder", kwargs={"pk": consultation.pk})
        return consultation.get_absolute_url()


class AssistedAnswerView(AnswerView):
    mode = "assist"


class PreviewView(AnswerView):
    mode = "preview"


class ThanksView(DetailView):
    template_name = "ecoute/thanks.html"
    context_object_name = "consultation"

    def get_object(self, queryset: Any = None) -> Consultation:
        return consultation_for(self.request, slug=self.kwargs["slug"])
