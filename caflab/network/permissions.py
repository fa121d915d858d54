"""Who may see what in the network: the directory is for network members; a Caf's dashboard is
for its correspondents and the lab."""

import rules
from django.db.models import QuerySet

from caflab.accounts.permissions import (
    belongs_to_caf,
    is_correspondent_of,
    is_lab_staff,
    is_network_member,
)
from caflab.network.models import Caf

# The directory of the 101 Caf: every network member (Cnaf or Caf employee); citizens and
# partners are refused (403).
can_view_directory = is_network_member
rules.add_perm("network.view_directory", can_view_directory)

# A Caf's dashboard: its correspondents and the lab. Other members of the Caf are refused (403);
# for anyone outside it, the Caf dashboard does not exist (404, see cafs_with_dashboard_for).
can_view_caf_dashboard = is_lab_staff | is_correspondent_of
rules.add_perm("network.view_caf_dashboard", can_view_caf_dashboard)


def cafs_with_dashboard_for(user) -> QuerySet[Caf]:
    """The Caf whose dashboard URL exists for this user: every Caf for the lab, else their own."""
    if is_lab_staff(user):
        return Caf.objects.all()
    if user.is_authenticated and user.caf_id:
        return Caf.objects.filter(pk=user.caf_id)
    return Caf.objects.none()


__all__ = [
    "belongs_to_caf",
    "cafs_with_dashboard_for",
    "can_view_caf_dashboard",
    "can_view_directory",
]
