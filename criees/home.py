"""The criées' part of the home's "Ce qui vous attend" (caflab.core.waiting; page panel
"home", registered in CrieesConfig.ready()): initiatives to validate and proposals for the next
criée for the lab; the criées open for proposals, the Caf's initiatives to validate and its
interest declarations to confirm for a correspondent; for everyone else in the network, what
became of the initiatives they carry. A fixed number of queries per role."""

import datetime
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from caflab.accounts.models import Role
from caflab.core.navigation import url_or_none
from caflab.core.queries import count_of
from caflab.core.waiting import WaitingEntry, WaitingItem, status_news, waiting_panel
from criees.models import (
    Criee,
    Initiative,
    InitiativeMember,
    InitiativeStatusChange,
    InterestDeclaration,
    InterestLevel,
    Pitch,
)

SHOWN = 5
# A submitted initiative waits this long at most for its validation.
VALIDATION_LATE_DAYS = 14


def context(request: HttpRequest, user: Any) -> dict[str, Any] | None:
    if not (user.is_authenticated and user.is_network_member):
        return None
    if user.is_lab_staff:
        items = [to_validate_item(Initiative.objects.all()), next_criee_item()]
    elif user.is_correspondent and user.caf_id:
        items = [
            open_criees_item(),
            to_validate_item(Initiative.objects.filter(caf=user.caf_id)),
            interests_item(user),
            my_initiatives_item(user),
        ]
    else:
        items = [my_initiatives_item(user)]
    return waiting_panel(_("Criées"), items, key="criees")


def to_validate_item(initiatives: Any) -> WaitingItem:
    """Initiatives submitted for validation, those waiting for too long counted apart: one
    query."""
    late_before = timezone.now() - datetime.timedelta(days=VALIDATION_LATE_DAYS)
    counts = initiatives.filter(status=Initiative.Status.SUBMITTED).aggregate(
        n=Count("pk"), late=Count("pk", filter=Q(status_changed_at__lt=late_before))
    )
    n, late = counts["n"], counts["late"]
    url = url_or_none("criees:index")
    return WaitingItem(
        label=ngettext("initiative à valider", "initiatives à valider", n),
        url=f"{url}?{urlencode({'statut': Initiative.Status.SUBMITTED})}" if url else None,
        count=n,
        urgency=ngettext(
            "%(n)s en attente depuis plus de deux semaines",
            "%(n)s en attente depuis plus de deux semaines",
            late,
        )
        % {"n": late}
        if late
        else "",
    )


def next_criee_item() -> WaitingItem:
    """The proposals the lab has not yet scheduled or declined for the next criée: one query."""
    criee = (
        Criee.objects.upcoming()
        .filter(starts_at__gte=timezone.now())
        .annotate(n_proposed=count_of(Pitch, "criee", status=Pitch.Status.PROPOSED))
        .only("pk", "title", "starts_at")
        .first()
    )
    if criee is None:
        return WaitingItem(label="", url=None, count=0)
    return WaitingItem(
        label=ngettext(
            "proposition à programmer pour la prochaine criée, « %(title)s »",
            "propositions à programmer pour la prochaine criée, « %(title)s »",
            criee.n_proposed,
        )
        % {"title": criee.title},
        url=reverse("criees:criee", kwargs={"pk": criee.pk}),
        count=criee.n_proposed,
        detail=_("Le %(day)s.")
        % {"day": formats.date_format(timezone.localtime(criee.starts_at), "DATE_FORMAT")},
    )


def open_criees_item() -> WaitingItem:
    """The criées open for proposals, the nearest first: one query."""
    criees = (
        Criee.objects.filter(status=Criee.Status.OPEN)
        .order_by("starts_at", "pk")
        .only("pk", "title", "starts_at")[:SHOWN]
    )
    return WaitingItem(
        label=_("Criées ouvertes aux propositions de votre Caf"),
        url=url_or_none("criees:criee-list"),
        entries=tuple(
            WaitingEntry(
                label=criee.title,
                url=reverse("criees:criee", kwargs={"pk": criee.pk}),
                note=_("le %(day)s")
                % {"day": formats.date_format(timezone.localtime(criee.starts_at), "DATE_FORMAT")},
            )
            for criee in criees
        ),
    )


def interests_item(user: Any) -> WaitingItem:
    """ "We want to take it up" declared for the Caf by its agents, below "wants to replicate":
    only a correspondent commits the Caf to replicate, so these wait for their confirmation.
    One query (the Caf's code for the link is the one the page already read)."""
    n = (
        InterestDeclaration.objects.filter(caf=user.caf_id)
        .exclude(level=InterestLevel.REPLICATE)
        .exclude(declared_by__role=Role.CORRESPONDENT)
        .count()
    )
    return WaitingItem(
        label=ngettext(
            "déclaration d’intérêt de vos agents à confirmer",
            "déclarations d’intérêt de vos agents à confirmer",
            n,
        ),
        url=reverse("criees:caf-dashboard", kwargs={"code": user.caf.code}) if n else None,
        count=n,
    )


def my_initiatives_item(user: Any) -> WaitingItem:
    """Where the initiatives the user carries (their team, or written by them) stand: the
    latest move of each, made by someone else (the validation's answers), the most recent
    first: one query. Their initiatives as a UNION: with a plain subquery, PostgreSQL walked
    every status change by date (11 ms on the national dataset, 1 ms this way)."""
    newer = InitiativeStatusChange.objects.filter(
        initiative=OuterRef("initiative"), changed_at__gt=OuterRef("changed_at")
    )
    changes = (
        InitiativeStatusChange.objects.filter(
            initiative__in=InitiativeMember.objects.filter(user=user)
            .values("initiative")
            .union(Initiative.objects.filter(created_by=user).values("pk"))
        )
        .exclude(from_status="")
        .exclude(changed_by=user)
        .exclude(Exists(newer))
        .select_related("initiative")
        .order_by("-changed_at", "-pk")[:SHOWN]
    )
    return WaitingItem(
        label=_("Ce que sont devenues vos initiatives"),
        url=url_or_none("criees:mine"),
        entries=tuple(
            status_news(
                change.initiative.title,
                reverse("criees:initiative", kwargs={"pk": change.initiative_id}),
                change.get_to_status_display(),
                change.changed_at,
            )
            for change in changes
        ),
    )
