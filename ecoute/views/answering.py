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
from ecoute.conditions import answers_from_json, answers_to_json
from ecoute.forms.answering import FinishForm, SectionAnswerForm
from ecoute.models import Consultation
from ecoute.plan import Plan
from ecoute.services import (
    AlreadyAnswered,
    IncompleteAnswers,
    RateLimited,
    account_participation_key,
    browser_participation_key,
    consultation_answer,
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
            messages.info(request, _("Cette consultation n'est pas ouverte aux réponses."))
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

    # --- the draft ----------------------------------------------------------------------------
    def draft_key(self, consultation: Consultation) -> str:
        return f"ecoute:draft:{self.mode}:{consultation.questionnaire.pk}"

    def load_draft(self, consultation: Consultation) -> dict:
        return answers_from_json(self.request.session.get(self.draft_key(consultation), {}))

    def save_draft(self, consultation: Consultation, draft: dict) -> None:
        self.request.session[self.draft_key(consultation)] = answers_to_json(draft)

    def clear_draft(self, consultation: Consultation) -> None:
        self.request.session.pop(self.draft_key(consultation), None)

    # --- pages --------------------------------------------------------------------------------
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

    def render_step(self, consultation, plan, steps, step, form, finish=None, status=200, error=""):
        is_last = step.number == len(steps)
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

    def current(self, consultation: Consultation, raw: str | None):
        plan = Plan(consultation.questionnaire)
        draft = self.load_draft(consultation)
        steps = plan.steps(draft)
        try:
            number = int(raw or 1)
        except ValueError:
            number = 1
        number = min(max(number, 1), max(len(steps), 1))
        return plan, draft, steps, (steps[number - 1] if steps else None)

    def get(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        consultation = self.get_consultation()
        refused = self.refusal(consultation)
        if refused is not None:
            return refused
        plan, draft, steps, step = self.current(consultation, request.GET.get("etape"))
        if step is None:
            messages.info(request, _("Ce questionnaire ne compte encore aucune question."))
            return redirect(self.done_url(consultation))
        form = SectionAnswerForm(plan=plan, step=step, draft=draft)
        return self.render_step(consultation, plan, steps, step, form)

    def post(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        consultation = self.get_consultation()
        refused = self.refusal(consultation)
        if refused is not None:
            return refused
        plan, draft, steps, step = self.current(consultation, request.POST.get("etape"))
        if step is None:
            return redirect(self.done_url(consultation))
        form = SectionAnswerForm(request.POST, plan=plan, step=step, draft=draft)
        going_back = "precedent" in request.POST
        if not form.is_valid():
            if going_back:  # keep what is right, fix the rest later
                draft.update(form.valid_answers())
                self.save_draft(consultation, draft)
                return redirect(self.step_url(consultation, step.number - 1))
            finish = self.finish_form(consultation, request.POST) if step == steps[-1] else None
            return self.render_step(consultation, plan, steps, step, form, finish)
        for question in step.questions:  # a question skipped now loses its earlier answer
            draft.pop(question.pk, None)
        draft.update(form.answers)
        steps = plan.steps(draft)
        if going_back or step.number < len(steps):
            # The session keeps the draft between pages only: a one-page questionnaire
            # answered at once never writes a session.
            self.save_draft(consultation, draft)
            target = step.number - 1 if going_back else step.number + 1
            return redirect(self.step_url(consultation, max(target, 1)))
        finish = self.finish_form(consultation, request.POST)
        if not finish.is_valid():
            self.save_draft(consultation, draft)
            return self.render_step(consultation, plan, steps, steps[-1], form, finish)
        return self.submit(consultation, plan, draft, steps, form, finish)

    def submit(self, consultation, plan, draft, steps, form, finish) -> HttpResponse:
        request = self.request
        if self.mode == "preview":
            missing = plan.missing(draft)
            if missing:
                self.save_draft(consultation, draft)
                return self.back_to_missing(consultation, plan, draft, missing)
            self.clear_draft(consultation)
            messages.success(
                request,
                _("Aperçu terminé : ces réponses auraient été envoyées. Rien n'a été enregistré."),
            )
            return redirect("ecoute:builder", pk=consultation.pk)
        try:
            consultation_answer(
                consultation=consultation,
                answers=draft,
                user=request.user,
                browser_token=request.COOKIES.get(PARTICIPATION_COOKIE, ""),
                client_ip=client_ip(request),
                caf=finish.cleaned_data.get("caf"),
                hear_back_email=finish.cleaned_data.get("hear_back_email") or "",
                assisted=self.mode == "assist",
                plan=plan,
                proof_token=request.POST.get(PROOF_CHALLENGE_FIELD, ""),
                proof_counter=request.POST.get(PROOF_COUNTER_FIELD, ""),
            )
        except IncompleteAnswers as incomplete:
            self.save_draft(consultation, draft)
            return self.back_to_missing(consultation, plan, draft, incomplete.missing)
        except AlreadyAnswered as done:
            self.clear_draft(consultation)
            messages.info(request, str(done))
            return render(request, "ecoute/already_answered.html", {"consultation": consultation})
        except RateLimited as limited:
            self.save_draft(consultation, draft)
            return self.render_step(
                consultation, plan, steps, steps[-1], form, finish, status=429, error=str(limited)
            )
        except ValidationError as invalid:
            self.save_draft(consultation, draft)
            return self.render_step(
                consultation,
                plan,
                steps,
                steps[-1],
                form,
                finish,
                status=400,
                error=invalid.messages[0],
            )
        self.clear_draft(consultation)
        if self.mode == "assist":
            messages.success(
                request, _("La réponse du visiteur est enregistrée, marquée « saisie assistée ».")
            )
            return redirect(consultation)
        return redirect("ecoute:thanks", slug=consultation.slug)

    def back_to_missing(self, consultation, plan, draft, missing) -> HttpResponse:
        number = plan.step_of(missing[0], draft)
        messages.error(
            self.request,
            _("La question « %(q)s » est obligatoire : merci d'y répondre.")
            % {"q": missing[0].label},
        )
        return redirect(self.step_url(consultation, number))

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
