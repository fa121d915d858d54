"""What ecoute shows on other apps' pages, registered with the core's page panels
(`caflab.core.panels`) in the app's AppConfig.ready()."""

from typing import Any

from django.db.models import Q
from django.http import HttpRequest

SHOWN = 10  # consultations listed on a Caf's dashboard, the latest first


def caf_dashboard(request: HttpRequest, caf: Any) -> dict[str, Any] | None:
    """A Caf's dashboard ("caf_dashboard"): the consultations that concern the Caf (organised
    by it, or with it in their perimeter) that the reader sees, with their status and where
    their restitution stands. Two queries (the count, the latest ones; none listed when there
    is none)."""
    from ecoute.models.consultations import Consultation, ConsultationPerimeter

    user = request.user
    in_perimeter = ConsultationPerimeter.objects.filter(caf=caf).values("consultation")
    concerning = Consultation.objects.visible_to(user).filter(Q(caf=caf) | Q(pk__in=in_perimeter))
    total = concerning.count()
    consultations = []
    if total:
        consultations = list(
            concerning.with_restitution_state()
            .only("pk", "title", "slug", "status", "caf_id", "opens_at", "closes_at")
            .order_by("-created_at", "-pk")[:SHOWN]
        )
        managed = user.is_lab_staff or user.is_moderator
        for consultation in consultations:
            # Its management page for those who run it, its public page for the others.
            consultation.dashboard_url = (
                consultation.get_manage_url()
                if managed or (user.is_correspondent and consultation.caf_id == user.caf_id)
                else consultation.get_absolute_url()
            )
    return {"caf": caf, "consultations": consultations, "total": total, "shown": SHOWN}
