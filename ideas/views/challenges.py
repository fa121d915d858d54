"""Challenges (hackathons, calls for ideas, internal dojos): the lab creates and runs them,
teams submit entries while open, the jury scores them while judging, the ranking orders them,
the lab publishes the results and turns the winners into ideas.

Who sees a challenge is `challenges_visible_to` (hidden → 404); who may act is a `projects.*`
permission (refused → 403).
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.decorators.http import require_POST
from django.views.generic import ListView
from rules.contrib.views import PermissionRequiredMixin

from caflab.core.errors import NotAllowedNow
from ideas.forms.challenges import (
    ChallengeForm,
    ChallengeMoveForm,
    EntryForm,
    EntryScoreForm,
    ResultsForm,
    criterion_formset,
)
from ideas.models import Challenge, ChallengeEntry, EntryScore
from ideas.permissions import challenges_visible_to, entries_visible_to
from ideas.services import challenges as services
from projects.scoring import rounded_mean
from projects.services import AlreadyDone

Status = Challenge.Status
DATES_OUT_OF_ORDER = gettext_lazy(
    "Les dates doivent se suivre : ouverture, clôture, jury, résultats."
)


def _challenge_for(request: HttpRequest, pk: int, perm: str | None = None) -> Challenge:
    """The challenge if the user sees it (else 404), and may do `perm` on it (else 403)."""
    challenge = get_object_or_404(
        challenges_visible_to(request.user).select_related("sponsor"), pk=pk
    )
    if perm and not request.user.has_perm(perm, challenge):
        raise PermissionDenied
    return challenge


def _entry_for(request: HttpRequest, pk: int) -> ChallengeEntry:
    visible = challenges_visible_to(request.user)
    return get_object_or_404(
        ChallengeEntry.objects.select_related("challenge__sponsor", "submitted_by").filter(
            challenge__in=visible
        ),
        pk=pk,
    )


# --- list ----------------------------------------------------------------------------------


class ChallengeListView(LoginRequiredMixin, PermissionRequiredMixin, ListView):
    permission_required = "ideas.view_challenges"
    template_name = "ideas/challenge_list.html"
    context_object_name = "challenges"
    paginate_by = 30

    def get_queryset(self) -> Any:
        return (
            challenges_visible_to(self.request.user)
            .select_related("sponsor")
            .annotate(n_entries=Count("entries"))
            .order_by("-submissions_open_on", "-pk")
        )


# --- create and update ---------------------------------------------------------------------


class ChallengeFormMixin:
    """The challenge form and its criteria formset, validated and saved together."""

    template_name = "ideas/challenge_form.html"
    request: HttpRequest

    def render_forms(self, form: ChallengeForm, formset: Any, challenge: Challenge | None):
        return render(
            self.request,
            self.template_name,
            {"form": form, "formset": formset, "challenge": challenge},
        )


class ChallengeCreateView(LoginRequiredMixin, PermissionRequiredMixin, ChallengeFormMixin, View):
    permission_required = "ideas.manage_challenges"

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.render_forms(ChallengeForm(), criterion_formset(), None)

    def post(self, request: HttpRequest) -> HttpResponse:
        form = ChallengeForm(request.POST)
        formset = criterion_formset(request.POST)
        if form.is_valid() and formset.is_valid():
            data = dict(form.cleaned_data)
            jury = data.pop("jury")
            try:
                with transaction.atomic():
                    challenge = services.challenge_create(
                        by=request.user, jury=jury, criteria=formset.save(commit=False), **data
                    )
            except IntegrityError:  # the database's own check of the dates
                form.add_error(None, DATES_OUT_OF_ORDER)
            else:
                messages.success(request, _("Le défi est créé, en brouillon."))
                return redirect(challenge)
        return self.render_forms(form, formset, None)


class ChallengeUpdateView(LoginRequiredMixin, ChallengeFormMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        challenge = _challenge_for(request, pk, "ideas.manage_challenges")
        return self.render_forms(
            ChallengeForm(instance=challenge), criterion_formset(instance=challenge), challenge
        )

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        challenge = _challenge_for(request, pk, "ideas.manage_challenges")
        form = ChallengeForm(request.POST, instance=challenge)
        formset = criterion_formset(request.POST, instance=challenge)
        if form.is_valid() and formset.is_valid():
            try:
                challenge = services.challenge_update(
                    challenge=form.instance,
                    jury=form.cleaned_data["jury"],
                    criteria=formset.save(commit=False),
                    removed_criteria=formset.deleted_objects,
                )
            except IntegrityError:
                form.add_error(None, DATES_OUT_OF_ORDER)
            else:
                messages.success(request, _("Le défi est enregistré."))
                return redirect(challenge)
        return self.render_forms(form, formset, challenge)


# --- detail (and the lab's status moves) -----------------------------------------------------


class ChallengeDetailView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        challenge = _challenge_for(request, pk)
        user = request.user
        can_manage = user.has_perm("ideas.manage_challenges", challenge)
        is_juror = user.has_perm("ideas.score_entries", challenge)
        entries = list(
            entries_visible_to(user, challenge)
            .select_related("submitted_by", "idea")
            .prefetch_related("members")
            .order_by("created_at", "pk")
        )
        scored = set()
        if is_juror:
            scored = set(
                EntryScore.objects.filter(entry__challenge=challenge, reviewer=user)
                .values_list("entry", flat=True)
                .distinct()
            )
        next_status = services.CHALLENGE_MOVES.get(challenge.status)
        context = {
            "challenge": challenge,
            "criteria": list(services.challenge_criteria(challenge)),
            "jury": list(challenge.jury.order_by("last_name", "first_name", "email")),
            "entries": entries,
            "scored": scored,
            "can_manage": can_manage,
            "can_submit": user.has_perm("ideas.submit_entry", challenge),
            "can_score": is_juror and challenge.status == Status.JUDGING,
            "can_view_ranking": user.has_perm("ideas.view_ranking", challenge),
            "next_status": Status(next_status) if can_manage and next_status else None,
        }
        return render(request, "ideas/challenge_detail.html", context)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        """The lab opens a draft, closes the submissions, or closes a finished challenge."""
        challenge = _challenge_for(request, pk, "ideas.manage_challenges")
        form = ChallengeMoveForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Statut inconnu."))
            return redirect(challenge)
        try:
            challenge = services.challenge_move(
                challenge=challenge, by=request.user, to_status=form.cleaned_data["status"]
            )
        except AlreadyDone as exc:
            messages.info(request, str(exc.args[0]))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                _("Le défi est maintenant : %(status)s.")
                % {"status": challenge.get_status_display().lower()},
            )
        return redirect(challenge)


# --- entries -------------------------------------------------------------------------------


class EntryCreateView(LoginRequiredMixin, View):
    template_name = "ideas/challenge_entry_form.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.challenge = _challenge_for(request, kwargs["pk"])
        if self.challenge.status != Status.OPEN:
            messages.info(request, _("Ce défi ne reçoit pas de contributions en ce moment."))
            return redirect(self.challenge)
        if not request.user.has_perm("ideas.submit_entry", self.challenge):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def _form(self, data: Any = None) -> EntryForm:
        return EntryForm(data, member_choices=services.entry_member_choices(self.challenge))

    def _render(self, form: EntryForm) -> HttpResponse:
        return render(self.request, self.template_name, {"challenge": self.challenge, "form": form})

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self._render(self._form())

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        form = self._form(request.POST)
        if not form.is_valid():
            return self._render(form)
        try:
            services.entry_submit(challenge=self.challenge, by=request.user, **form.cleaned_data)
        except NotAllowedNow as exc:  # closed meanwhile
            messages.info(request, str(exc))
            return redirect(self.challenge)
        messages.success(
            request,
            _("Votre contribution est déposée. Vous serez prévenu des résultats du défi."),
        )
        return redirect(f"{self.challenge.get_absolute_url()}#contributions")


# --- jury ----------------------------------------------------------------------------------


def _score_page(
    request: HttpRequest, entry: ChallengeEntry, form: EntryScoreForm | None = None
) -> HttpResponse:
    challenge = entry.challenge
    action = reverse("ideas:entry-score", kwargs={"pk": entry.pk})
    if form is None:
        form = EntryScoreForm(
            criteria=services.challenge_criteria(challenge),
            existing=EntryScore.objects.filter(entry=entry, reviewer=request.user),
            action=action,
        )
    context = {
        "challenge": challenge,
        "entry": entry,
        "members": list(entry.members.order_by("last_name", "first_name", "email")),
        "summary": services.entry_summary(entry),
        "form": form,
    }
    return render(request, "ideas/challenge_entry_score.html", context)


@login_required
def entry_score(request: HttpRequest, pk: int) -> HttpResponse:
    """A juror's scores of one entry, 1 to 5 per criterion; scoring again updates them."""
    entry = _entry_for(request, pk)
    challenge = entry.challenge
    if not request.user.has_perm("ideas.score_entries", challenge):
        raise PermissionDenied
    if challenge.status != Status.JUDGING:
        messages.info(request, _("Le jury ne délibère pas en ce moment."))
        return redirect(challenge)
    if request.method != "POST":
        return _score_page(request, entry)
    form = EntryScoreForm(
        request.POST,
        criteria=services.challenge_criteria(challenge),
        action=reverse("ideas:entry-score", kwargs={"pk": entry.pk}),
    )
    if form.is_valid():
        try:
            services.entry_score(entry=entry, juror=request.user, scores=form.scores())
        except AlreadyDone as exc:
            messages.info(request, str(exc.args[0]))
            return redirect(challenge)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request, _("Vos notes pour « %(title)s » sont enregistrées.") % {"title": entry}
            )
            return redirect(f"{challenge.get_absolute_url()}#contributions")
    return _score_page(request, entry, form)


# --- ranking and results -------------------------------------------------------------------


def _ranking_page(
    request: HttpRequest, challenge: Challenge, results_form: ResultsForm | None = None
) -> HttpResponse:
    criteria = list(services.challenge_criteria(challenge))
    means = services.criterion_means(challenge)
    entries = list(services.ranked_entries(challenge))
    rows = [
        {
            "entry": entry,
            "rank": rank,
            "mean": rounded_mean(entry.weighted_mean),
            "criteria": [means.get((entry.pk, c.pk)) for c in criteria],
        }
        for rank, entry in enumerate(entries, start=1)
    ]
    can_manage = request.user.has_perm("ideas.manage_challenges", challenge)
    if can_manage and challenge.status == Status.JUDGING and results_form is None:
        results_form = ResultsForm(
            challenge=challenge,
            action=reverse("ideas:challenge-publish", kwargs={"pk": challenge.pk}),
            initial={"results_summary": challenge.results_summary},
        )
    context = {
        "challenge": challenge,
        "criteria": criteria,
        "rows": rows,
        "results_form": results_form if can_manage else None,
        "can_turn_into_ideas": can_manage
        and challenge.status in (Status.RESULTS_PUBLISHED, Status.CLOSED),
    }
    return render(request, "ideas/challenge_ranking.html", context)


class RankingView(LoginRequiredMixin, View):
    """Entries by weighted mean (computed by the database), with each criterion's mean."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return _ranking_page(request, _challenge_for(request, pk, "ideas.view_ranking"))


@require_POST
@login_required
def publish_results(request: HttpRequest, pk: int) -> HttpResponse:
    challenge = _challenge_for(request, pk, "ideas.manage_challenges")
    if challenge.status != Status.JUDGING:
        messages.info(request, _("Les résultats ne se publient qu’à la fin des délibérations."))
        return redirect(challenge)
    form = ResultsForm(
        request.POST,
        challenge=challenge,
        action=reverse("ideas:challenge-publish", kwargs={"pk": challenge.pk}),
    )
    if form.is_valid():
        try:
            services.results_publish(
                challenge=challenge,
                by=request.user,
                summary=form.cleaned_data["results_summary"],
                winners=form.cleaned_data["winners"],
            )
        except AlreadyDone as exc:
            messages.info(request, str(exc.args[0]))
            return redirect(challenge)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request, _("Les résultats sont publiés ; les équipes et les abonnés sont prévenus.")
            )
            return redirect("ideas:challenge-ranking", pk=challenge.pk)
    return _ranking_page(request, challenge, form)


@require_POST
@login_required
def entry_to_idea(request: HttpRequest, pk: int) -> HttpResponse:
    """The lab turns an entry (a winner, usually) into an idea, to be triaged like any other."""
    entry = _entry_for(request, pk)
    challenge = entry.challenge
    if not request.user.has_perm("ideas.manage_challenges", challenge):
        raise PermissionDenied
    ranking = reverse("ideas:challenge-ranking", kwargs={"pk": challenge.pk})
    try:
        idea = services.entry_to_idea(entry=entry, by=request.user)
    except AlreadyDone as exc:
        messages.info(request, str(exc.args[0]))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except NotAllowedNow as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("« %(title)s » est maintenant une idée de la boîte à idées, à examiner.")
            % {"title": idea.title},
        )
    return redirect(ranking)
