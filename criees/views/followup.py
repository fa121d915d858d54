"""After a criée: its follow-up page (interests per initiative and per Caf, the lab's decisions),
its exports; and the dashboards: the network's (per criée, per Caf, the most wanted
initiatives) and one Caf's. Every page costs a fixed number of queries: counts come from the
database as subqueries or grouped aggregates, never one query per row."""

from collections import defaultdict
from typing import Any

from django.contrib import messages
from django.db.models import Count, Q, Value
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView

from caflab.core import audit, charts
from caflab.core.models import AuditEvent
from caflab.core.scope import caf_scope, network_scope
from caflab.network.models import Caf
from criees import exports, services
from criees.forms import DecisionForm
from criees.models import Criee, Initiative, InterestDeclaration, InterestLevel, Pitch
from criees.views.base import NetworkMixin, criee_for, network_only, require
from criees.views.criee import programme_of

LEVEL_FILLS = {
    InterestLevel.CURIOUS: "#6c757d",
    InterestLevel.CONTACT: "#0b5cad",
    InterestLevel.REPLICATE: "#1e7b34",
}
MOST_WANTED = 10


def _level_counts(interests: list[InterestDeclaration]) -> list[tuple[InterestLevel, int]]:
    counts = {level: 0 for level in InterestLevel.values}
    for interest in interests:
        counts[interest.level] += 1
    return [(InterestLevel(level), n) for level, n in counts.items()]


def level_chart(chart_id: str, title: str, counts: list[tuple[InterestLevel, int]]) -> Any:
    return charts.bar_chart(
        chart_id,
        title,
        [charts.ChartRow(level.label, n, fill=LEVEL_FILLS[level]) for level, n in counts],
        label_header=_("Niveau d’intérêt"),
        value_header=_("Caf"),
        shares=True,
    )


def programme_interests(programme: list[Pitch]) -> list[InterestDeclaration]:
    return list(
        InterestDeclaration.objects.filter(initiative__in=[p.initiative_id for p in programme])
        .select_related("initiative__caf__region", "caf__region", "contact_person")
        .order_by("caf__position", "initiative__title")
    )


# --- follow-up of one criée ------------------------------------------------------------------


class FollowupView(NetworkMixin, TemplateView):
    template_name = "criees/criee_followup.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        criee = criee_for(self.request, self.kwargs["pk"])
        user = self.request.user
        can_manage = user.has_perm("criees.manage_criees")
        programme = programme_of(criee)
        interests = programme_interests(programme)
        by_initiative: dict[int, list[InterestDeclaration]] = defaultdict(list)
        by_caf: dict[int, list[InterestDeclaration]] = defaultdict(list)
        for interest in interests:
            by_initiative[interest.initiative_id].append(interest)
            by_caf[interest.caf_id].append(interest)
        for pitch in programme:
            pitch.interest_list = by_initiative[pitch.initiative_id]
            pitch.level_counts = _level_counts(pitch.interest_list)
            if can_manage:
                pitch.decision_form = DecisionForm(
                    instance=pitch,
                    action=reverse("criees:pitch-decide", kwargs={"pk": pitch.pk}),
                )
        cafs = [(rows[0].caf, rows) for rows in by_caf.values()]
        presenting = {pitch.initiative.caf_id for pitch in programme}
        return super().get_context_data(
            criee=criee,
            programme=programme,
            cafs=cafs,
            n_interested=len(cafs),
            n_involved=len(presenting | set(by_caf)),
            chart=level_chart(
                "interets-par-niveau",
                _("Caf intéressées par niveau d’intérêt"),
                _level_counts(interests),
            ),
            can_manage=can_manage,
            can_export_interests=user.has_perm("criees.export_interests"),
            **kwargs,
        )


@require_POST
@network_only
def pitch_decide(request: HttpRequest, pk: int) -> HttpResponse:
    require(request, "criees.manage_criees")
    pitch = get_object_or_404(
        Pitch.objects.select_related("criee", "initiative"),
        pk=pk,
        criee__in=Criee.objects.visible_to(request.user),
    )
    form = DecisionForm(request.POST, instance=pitch)
    if form.is_valid():
        services.pitch_decide(
            pitch=pitch,
            by=request.user,
            decision=form.cleaned_data["decision"],
            note=form.cleaned_data["decision_note"],
        )
        messages.success(
            request,
            _("Décision enregistrée pour « %(title)s ».") % {"title": pitch.initiative.title},
        )
    else:
        messages.error(request, _("Choisissez une décision."))
    return redirect(f"{reverse('criees:followup', kwargs={'pk': pitch.criee_id})}#passage-{pk}")


# --- exports ---------------------------------------------------------------------------------

EXPORT_KINDS = ("programme", "interets")


@network_only
def criee_export(request: HttpRequest, pk: int, kind: str, fmt: str) -> HttpResponse:
    """The programme (any network member), or the interest declared in the programme's
    initiatives (the lab and the correspondents), as CSV or XLSX."""
    if kind not in EXPORT_KINDS or fmt not in exports.CONTENT_TYPES:
        raise Http404
    criee = criee_for(request, pk)
    programme = programme_of(criee)
    if kind == "programme":
        header, rows = exports.programme_header(), exports.programme_rows(programme)
        title = _("Programme")
    else:
        require(request, "criees.export_interests")
        header = exports.interest_header()
        rows = exports.interest_rows(programme_interests(programme))
        title = _("Intérêts")
    content, content_type = exports.render(fmt, header, rows, title=title)
    audit.record(
        action=AuditEvent.Action.EXPORT,
        by=request.user,
        target=criee,
        details={"what": kind, "format": fmt},
        request=request,
    )
    response = HttpResponse(content, content_type=content_type)
    name = exports.filename(criee, kind, fmt)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# --- dashboards ------------------------------------------------------------------------------


def criee_rows(criees: list[Criee]) -> list[dict[str, Any]]:
    """Per criée: pitches, interests in its programme by level, Caf involved. Two queries."""
    scheduled = Pitch.objects.scheduled().filter(criee__in=[c.pk for c in criees])
    pitched = list(scheduled.values_list("criee_id", "initiative_id", "initiative__caf_id"))
    interests = list(
        InterestDeclaration.objects.filter(
            initiative__in=scheduled.values("initiative")
        ).values_list("initiative_id", "caf_id", "level")
    )
    by_initiative: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for initiative, caf, level in interests:
        by_initiative[initiative].append((caf, level))
    rows = []
    for criee in criees:
        mine = [(initiative, caf) for c, initiative, caf in pitched if c == criee.pk]
        levels = {level: 0 for level in InterestLevel.values}
        interested: set[int] = set()
        for initiative, _caf in mine:
            for caf, level in by_initiative[initiative]:
                levels[level] += 1
                interested.add(caf)
        rows.append(
            {
                "criee": criee,
                "pitches": len(mine),
                "levels": [(InterestLevel(level), n) for level, n in levels.items()],
                "interested": len(interested),
                "involved": len(interested | {caf for _i, caf in mine}),
            }
        )
    return rows


def most_wanted_initiatives(published: Any) -> list[Initiative]:
    """The MOST_WANTED published initiatives with the most interests, each with its counts by
    level (`n_interests`, `n_replicate`, `n_contact`, `n_curious`): one query over the
    interests grouped by initiative, never counted per published initiative."""
    by_level = {
        f"n_{level}": Count("pk", filter=Q(level=value))
        for level, value in (
            ("replicate", InterestLevel.REPLICATE),
            ("contact", InterestLevel.CONTACT),
            ("curious", InterestLevel.CURIOUS),
        )
    }
    ranked = (
        InterestDeclaration.objects.filter(initiative__in=published.values("pk"))
        .order_by()
        .values("initiative", "initiative__title")
        .annotate(n_interests=Count("pk"), **by_level)
        .order_by("-n_interests", "-n_replicate", "-n_contact", "initiative__title", "initiative")
    )
    result = []
    for row in ranked[:MOST_WANTED]:
        initiative = Initiative(pk=row.pop("initiative"), title=row.pop("initiative__title"))
        for name, value in row.items():
            setattr(initiative, name, value)
        result.append(initiative)
    return result


def caf_counts(published: Any) -> list[Caf]:
    """The Caf active in the criées, in network order, each with `shared` (its published
    initiatives), `declared` (its interest declarations) and `received` (declarations for its
    published initiatives). One query: three grouped counts, each carrying its Caf."""

    def per_caf(queryset: Any, caf: str, kind: str) -> Any:
        fields = (caf, f"{caf}__code", f"{caf}__name", f"{caf}__position")
        return (
            queryset.order_by()
            .values(*fields)
            .annotate(n=Count("pk"), kind=Value(kind))
            .values_list(*fields, "kind", "n")
        )

    declarations = InterestDeclaration.objects.all()
    rows = per_caf(published, "caf", "shared").union(
        per_caf(declarations, "caf", "declared"),
        per_caf(
            declarations.filter(initiative__status=Initiative.Status.PUBLISHED),
            "initiative__caf",
            "received",
        ),
        all=True,
    )
    cafs: dict[int, Caf] = {}
    for pk, code, name, position, kind, n in rows:
        if pk not in cafs:
            cafs[pk] = Caf(pk=pk, code=code, name=name, position=position)
            cafs[pk].shared = cafs[pk].declared = cafs[pk].received = 0
        setattr(cafs[pk], kind, n)
    return sorted(cafs.values(), key=lambda caf: caf.position)


class DashboardView(NetworkMixin, TemplateView):
    """The network's criées dashboard: the lab, the correspondents, the directorates."""

    permission_required = "criees.view_dashboard"
    template_name = "criees/dashboard.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        published = Initiative.objects.published()
        # 1 query: key figures of the catalogue.
        totals = published.aggregate(
            initiatives=Count("pk"),
            cafs=Count("caf", distinct=True),
            promoted=Count("pk", filter=Q(project__isnull=False)),
        )
        # 1 query: interest by level.
        levels = dict(
            InterestDeclaration.objects.filter(initiative__in=published.values("pk"))
            .order_by()
            .values_list("level")
            .annotate(n=Count("pk"))
            .values_list("level", "n")
        )
        level_counts = [(InterestLevel(v), levels.get(v, 0)) for v in InterestLevel.values]
        # 1 query: the most wanted initiatives, from the interests grouped by initiative.
        most_wanted = most_wanted_initiatives(published)
        # 3 queries: the criées and their programmes' interest.
        criees = list(Criee.objects.order_by("-starts_at", "-pk")[:20])
        # 1 query: per Caf, what it shares, declares and receives (grouped counts).
        cafs = caf_counts(published)
        return super().get_context_data(
            # Published initiatives only, whoever reads: the whole network's.
            scope=_("initiatives publiées de %(scope)s") % {"scope": network_scope()},
            totals=totals,
            interest_total=sum(n for _level, n in level_counts),
            level_chart=level_chart(
                "interets-reseau", _("Caf intéressées par niveau d’intérêt"), level_counts
            ),
            most_wanted=most_wanted,
            most_wanted_chart=charts.bar_chart(
                "plus-demandees",
                _("Les initiatives les plus demandées"),
                [
                    charts.ChartRow(
                        i.title,
                        i.n_interests,
                        url=i.get_absolute_url(),
                        note=_("%(r)s à reprendre, %(c)s contact, %(q)s curieuses")
                        % {"r": i.n_replicate, "c": i.n_contact, "q": i.n_curious},
                    )
                    for i in most_wanted
                ],
                label_header=_("Initiative"),
                value_header=_("Caf intéressées"),
                note_header=_("Détail"),
            ),
            criee_rows=criee_rows(criees),
            cafs=cafs,
            **kwargs,
        )


class CafDashboardView(NetworkMixin, TemplateView):
    """One Caf in the criées: the initiatives it shares, the interest it declared and the
    interest it received."""

    permission_required = "criees.view_dashboard"
    template_name = "criees/caf_dashboard.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        caf = get_object_or_404(Caf.objects.select_related("region"), code=self.kwargs["code"])
        visible = Initiative.objects.visible_to(self.request.user)
        initiatives = list(visible.filter(caf=caf).with_card_data())
        declared = list(
            InterestDeclaration.objects.filter(caf=caf, initiative__in=visible.values("pk"))
            .select_related("initiative__caf", "contact_person")
            .order_by("-updated_at", "pk")
        )
        received = list(
            InterestDeclaration.objects.filter(
                initiative__caf=caf, initiative__in=visible.values("pk")
            )
            .select_related("initiative", "caf", "contact_person")
            .order_by("initiative__title", "caf__position")
        )
        return super().get_context_data(
            scope=caf_scope(caf),
            caf=caf,
            initiatives=initiatives,
            n_published=sum(1 for i in initiatives if i.is_published),
            declared=declared,
            received=received,
            received_chart=level_chart(
                "interets-recus", _("Intérêts reçus par niveau"), _level_counts(received)
            ),
            **kwargs,
        )
