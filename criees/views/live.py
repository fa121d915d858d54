"""The live page of a criée: the pitch on screen, one click to declare interest, and a
scoreboard of the interest declared, refreshed by htmx polling (every 5 s). Without
JavaScript, the buttons are plain forms and a link reloads the page."""

from collections import defaultdict
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRefresh, HttpResponseStopPolling

from caflab.core.errors import NotAllowedNow
from criees import services
from criees.models import Criee, InterestDeclaration, InterestLevel, Pitch
from criees.services import AlreadyDone
from criees.views.base import criee_for, network_only
from criees.views.criee import programme_of

POLL_SECONDS = 5


def scoreboard(programme: list[Pitch]) -> list[dict[str, Any]]:
    """Per pitch of the programme, the number of Caf at each level (one query)."""
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    rows = (
        InterestDeclaration.objects.filter(initiative__in=[p.initiative_id for p in programme])
        .order_by()
        .values_list("initiative", "level")
        .annotate(n=Count("pk"))
    )
    for initiative_id, level, n in rows:
        counts[initiative_id][level] = n
    board = []
    for pitch in programme:
        levels = [
            (InterestLevel(level), counts[pitch.initiative_id].get(level, 0))
            for level in InterestLevel.values
        ]
        board.append({"pitch": pitch, "levels": levels, "total": sum(n for _level, n in levels)})
    return board


def _live_context(request: HttpRequest, criee: Criee) -> dict[str, Any]:
    user = request.user
    programme = programme_of(criee)
    current = next((p for p in programme if p.pk == criee.current_pitch_id), None)
    own_levels: dict[int, str] = {}
    if user.caf_id:
        own_levels = dict(
            InterestDeclaration.objects.filter(
                caf=user.caf_id, initiative__in=[p.initiative_id for p in programme]
            ).values_list("initiative", "level")
        )
    may_replicate = bool(user.caf_id) and user.has_perm("criees.declare_replicate", user.caf)
    live_url = reverse("criees:live", kwargs={"pk": criee.pk})
    for pitch in programme:
        # Without JavaScript, a declaration comes back to the very pitch (an anchor).
        pitch.back_url = f"{live_url}#passage-{pitch.pk}"
        pitch.back_url_screen = f"{live_url}#a-l-ecran"
        pitch.own_level = own_levels.get(pitch.initiative_id, "")
        # One click declares for one's own Caf: agents and correspondents of another Caf.
        pitch.can_declare = bool(
            user.caf_id and pitch.initiative.is_published and pitch.initiative.caf_id != user.caf_id
        )
        pitch.locked = pitch.own_level == InterestLevel.REPLICATE and not may_replicate
    return {
        "criee": criee,
        "programme": programme,
        "current": current,
        "board": scoreboard(programme),
        "levels": InterestLevel.choices,
        "may_replicate": may_replicate,
        "can_manage": user.has_perm("criees.manage_criees"),
        "is_live": criee.status not in (Criee.Status.HELD, Criee.Status.FOLLOWED_UP),
        "poll_seconds": POLL_SECONDS,
    }


@network_only
def live(request: HttpRequest, pk: int) -> HttpResponse:
    criee = criee_for(request, pk)
    return render(request, "criees/criee_live.html", _live_context(request, criee))


@network_only
def live_counts(request: HttpRequest, pk: int) -> HttpResponse:
    """The scoreboard fragment, polled by htmx. When the lab has put another pitch on screen,
    htmx reloads the whole page instead; once the criée is held, polling stops. Outside htmx,
    the live page itself."""
    criee = criee_for(request, pk)
    if not request.htmx:
        return redirect("criees:live", pk=criee.pk)
    if criee.status in (Criee.Status.HELD, Criee.Status.FOLLOWED_UP):
        return HttpResponseStopPolling()  # the criée is over: the counters stay as they are
    shown = request.GET.get("passage", "")
    if shown != str(criee.current_pitch_id or ""):
        return HttpResponseClientRefresh()
    programme = programme_of(criee)
    return render(request, "criees/includes/live_scoreboard.html", {"board": scoreboard(programme)})


@require_POST
@network_only
def live_current(request: HttpRequest, pk: int) -> HttpResponse:
    """The lab puts a pitch on screen (or none)."""
    criee = criee_for(request, pk, "criees.manage_criees")
    pitch = None
    if request.POST.get("passage"):
        pitch = Pitch.objects.filter(criee=criee, pk=request.POST["passage"]).first()
        if pitch is None:
            messages.error(request, _("Ce passage n’est pas au programme de cette criée."))
            return redirect("criees:live", pk=criee.pk)
    try:
        services.criee_set_current(criee=criee, by=request.user, pitch=pitch)
    except AlreadyDone as done:
        messages.info(request, str(done))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except NotAllowedNow as refused:
        messages.error(request, str(refused))
    else:
        if pitch is None:
            messages.success(request, _("Plus aucun passage à l’écran."))
        else:
            messages.success(
                request,
                _("À l’écran : « %(title)s ».") % {"title": pitch.initiative.title},
            )
    return redirect(reverse("criees:live", kwargs={"pk": criee.pk}))
