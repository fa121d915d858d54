"""The director's cockpit ("portfolio_dashboard" page panel, registered in EcouteConfig.ready()):
the restitutions the participants are owed, overdue first. The portfolio does not import this:
the panel registry (caflab.core.panels) brings it to the page."""

from typing import Any

from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

# Consultations listed; the count and the managers' filtered list give the rest.
SHOWN = 10


def portfolio_dashboard(request: HttpRequest, projects: Any) -> dict[str, Any] | None:
    """Restitutions due and overdue among the consultations the reader runs (the lab: all;
    a correspondent: their Caf's) or, for the directorates, reads. Each row links to where the
    restitution is written (its public page for those who do not run it). Two queries (the
    counts, the rows; the rows only when there is one). Plain data: it joins the cached
    page's fingerprint."""
    from ecoute.models.consultations import Consultation

    user = request.user
    today = timezone.localdate()
    managed = Consultation.objects.managed_by(user)
    runs_some = user.is_lab_staff or user.is_moderator or user.is_correspondent
    scope = managed if runs_some else Consultation.objects.visible_to(user)
    due = scope.restitution_due()
    overdue = Q(pk__in=Consultation.objects.restitution_overdue(today).values("pk"))
    counts = due.aggregate(
        n=Count("pk", distinct=True), n_overdue=Count("pk", filter=overdue, distinct=True)
    )
    rows = []
    if counts["n"]:
        consultations = (
            due.annotate(
                late=Case(
                    When(overdue, then=Value(0)), default=Value(1), output_field=IntegerField()
                )
            )
            .only("pk", "title", "slug", "closes_at", "caf_id")
            .order_by("late", "closes_at", "pk")[:SHOWN]
        )
        restitution_url = reverse("ecoute:restitution-edit", kwargs={"pk": 0})
        for consultation in consultations:
            runs_it = (
                user.is_lab_staff
                or user.is_moderator
                or (user.is_correspondent and consultation.caf_id == user.caf_id)
            )
            closed_on = (
                timezone.localdate(consultation.closes_at) if consultation.closes_at else None
            )
            rows.append(
                {
                    "title": consultation.title,
                    "url": restitution_url.replace("/0/", f"/{consultation.pk}/")
                    if runs_it
                    else consultation.get_absolute_url(),
                    "closed_on": closed_on,
                    "days": (today - closed_on).days if closed_on else None,
                    "is_late": consultation.late == 0,
                }
            )
    list_url = ""
    if runs_some:
        list_url = reverse("ecoute:manage")
    return {
        "restitutions": {
            "total": counts["n"],
            "overdue": counts["n_overdue"],
            "rows": rows,
            "due_url": f"{list_url}?{urlencode({'restitution': 'due'})}" if list_url else "",
            "overdue_url": f"{list_url}?{urlencode({'restitution': 'overdue'})}"
            if list_url
            else "",
        }
    }
