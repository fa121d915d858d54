"""Quality of coding: the agreement sample drawn, coded blind by each person (the page shows
them their own codes only), and the agreement per code between two coders (Cohen's kappa)
with the disagreements to settle."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from analysis.forms import BlindCodingForm, CodersForm, SampleForm
from analysis.models import AnalysisText, BlindCoding
from analysis.services import agreement as service
from analysis.views.common import managed_analysis, managed_text

PAGE_SIZE = 20


@login_required
def agreement(request: HttpRequest, pk: int) -> HttpResponse:
    analysis = managed_analysis(request, pk)
    coders = service.coders(analysis)
    people = list(coders)
    data = request.GET if "first" in request.GET else None
    if data is None and len(people) >= 2:  # the first two coders until others are chosen
        data = {"first": people[0].pk, "second": people[1].pk}
    form = CodersForm(data, coders=coders)
    result = None
    if data is not None and form.is_valid():
        result = service.agreement(
            analysis=analysis, first=form.cleaned_data["first"], second=form.cleaned_data["second"]
        )
    return render(
        request,
        "analysis/agreement.html",
        {
            "analysis": analysis,
            "consultation": analysis.home,
            "n_sample": AnalysisText.objects.filter(analysis=analysis, in_sample=True).count(),
            "n_coders": len(people),
            "form": form,
            "result": result,
            "sample_form": SampleForm(),
            "levels": service.LEVELS,
            "weak_below": service.WEAK_BELOW,
            "strong_from": service.STRONG_FROM,
            "max_disagreements": service.MAX_DISAGREEMENTS,
        },
    )


@require_POST
@login_required
def sample_draw(request: HttpRequest, pk: int) -> HttpResponse:
    analysis = managed_analysis(request, pk)
    form = SampleForm(request.POST)
    if not form.is_valid():
        messages.warning(request, " ".join(m for errors in form.errors.values() for m in errors))
    else:
        n = service.sample_draw(analysis=analysis, size=form.cleaned_data["size"])
        messages.success(request, _("%(n)s textes tirés au sort pour le double codage.") % {"n": n})
    return redirect("analysis:agreement", pk=analysis.pk)


@login_required
def blind_coding(request: HttpRequest, pk: int) -> HttpResponse:
    """The sample's texts with the person's own codes only: neither the other coder's nor the
    codes of the coding view, so that each codes blind."""
    analysis = managed_analysis(request, pk)
    mine = BlindCoding.objects.filter(coder=request.user).prefetch_related("codes")
    texts = (
        AnalysisText.objects.filter(analysis=analysis, in_sample=True)
        .select_related("question")
        .prefetch_related(Prefetch("blind_codings", queryset=mine, to_attr="my_codings"))
        .order_by("pk")
    )
    page = Paginator(texts, PAGE_SIZE).get_page(request.GET.get("page"))
    for text in page.object_list:
        coding = text.my_codings[0] if text.my_codings else None
        text.is_coded = coding is not None
        text.my_code_ids = {c.pk for c in coding.codes.all()} if coding else set()
    return render(
        request,
        "analysis/blind_coding.html",
        {
            "analysis": analysis,
            "consultation": analysis.home,
            "page_obj": page,
            "object_list": page.object_list,
            "codes": list(analysis.codes.select_related("parent").order_by("position", "pk")),
        },
    )


@require_POST
@login_required
def blind_code(request: HttpRequest, pk: int) -> HttpResponse:
    """Save the person's codes for one text of the sample (none checked: no code applies)."""
    text = managed_text(request, pk)
    form = BlindCodingForm(request.POST, analysis=text.analysis)
    if not form.is_valid():
        messages.warning(request, _("Choisissez des codes de la grille."))
    else:
        service.blind_coding_save(
            text=text, coder=request.user, codes=list(form.cleaned_data["codes"])
        )
        messages.success(request, _("Texte n° %(n)s codé.") % {"n": text.pk})
    page = request.POST.get("page", "")
    url = reverse("analysis:blind-coding", kwargs={"pk": text.analysis_id})
    query = f"?page={page}" if page.isdigit() else ""
    return redirect(f"{url}{query}#texte-{text.pk}")
