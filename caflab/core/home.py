"""The platform's part of the home's "Ce qui vous attend" (page panel "home", registered in
CoreConfig.ready()): the moderation queue across the apps and the accounts waiting for their
Caf. The domain apps register their own parts (see caflab.core.waiting)."""

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from caflab.accounts.pending import pending_accounts
from caflab.accounts.permissions import can_assign_pending
from caflab.core.navigation import url_or_none
from caflab.core.waiting import WaitingItem, waiting_panel
from caflab.engagement.moderation import kinds_for


def moderation_waiting(user: Any) -> int:
    """How many rows wait for a moderator's decision in the kinds `user` moderates, in one
    query (a UNION of every kind's waiting rows) whatever the number of kinds."""
    moderated = kinds_for(user)
    if not moderated:
        return 0
    waiting = [kind.waiting(rows).order_by().values("pk") for kind, rows in moderated]
    return waiting[0].union(*waiting[1:], all=True).count()


def context(request: HttpRequest, user: Any) -> dict[str, Any] | None:
    items = []
    n_moderation = moderation_waiting(user)
    if n_moderation:
        items.append(
            WaitingItem(
                label=ngettext(
                    "élément attend une décision de modération",
                    "éléments attendent une décision de modération",
                    n_moderation,
                ),
                url=url_or_none("engagement:queue"),
                count=n_moderation,
                detail=_("Commentaires et contributions de toutes les rubriques."),
            )
        )
    if can_assign_pending(user):
        n_pending = pending_accounts().count()
        items.append(
            WaitingItem(
                label=ngettext(
                    "compte à rattacher à sa Caf", "comptes à rattacher à leur Caf", n_pending
                ),
                url=url_or_none("accounts:pending-list"),
                count=n_pending,
            )
        )
    return waiting_panel(_("Modération et comptes"), items, key="plateforme")
