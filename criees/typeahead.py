"""The type-ahead sources of the criées (caflab/core/typeahead.py): the published initiatives a
user may propose to a criée (the lab: all; a correspondent: their Caf's), without those already
proposed to it when the picker names the criée (?criee=<id>); and the contact people an
interest declaration may name (the user's Caf; for the lab, correspondents and the lab)."""

import re
from typing import Any

from django.db.models import QuerySet
from django.http import QueryDict

from caflab.accounts.models import NETWORK_ROLES, User
from caflab.core.typeahead import Source, clean_text, key_before_dash, words_match
from criees.models import Initiative
from projects.typeahead import match_people, resolve_person


def proposable(user: Any, criee_id: Any = None) -> QuerySet[Initiative]:
    """Published initiatives `user` may propose (to criée `criee_id`, when given)."""
    initiatives = Initiative.objects.published()
    if criee_id:
        initiatives = initiatives.exclude(pitches__criee=criee_id)
    if not user.is_lab_staff:
        initiatives = initiatives.filter(caf=user.caf_id)
    return initiatives.select_related("caf")


def _scope(user: Any, params: QueryDict) -> QuerySet[Initiative]:
    criee = params.get("criee", "")
    return proposable(user, int(criee) if criee.isdigit() else None)


def option_value(initiative: Initiative) -> str:
    """ "N° 12 – Titre (Caf de l'Isère)": titles repeat across Caf, the number does not."""
    return f"N° {initiative.pk} – {initiative.title} ({initiative.caf.name})"


def _resolve(queryset: QuerySet[Initiative], text: str) -> QuerySet[Initiative]:
    found = re.fullmatch(r"(?:n°|no|#)?\s*(\d+)", key_before_dash(text), flags=re.IGNORECASE)
    if found:
        return queryset.filter(pk=int(found.group(1)))
    return queryset.filter(title__iexact=clean_text(text))


INITIATIVES_TO_PROPOSE = Source(
    scope=_scope,
    match=lambda queryset, text: words_match(queryset, text, ("title", "caf__name")),
    resolve=_resolve,
    value=option_value,
    order=("title", "pk"),
    permission="criees.propose_pitch",
)


def contacts_for(user: Any) -> QuerySet[User]:
    """Who `user` may name as the contact of an interest: the active people of their Caf; for
    the lab (no Caf), the network's correspondents and the lab."""
    people = User.objects.active().filter(role__in=NETWORK_ROLES)
    if user.caf_id:
        return people.filter(caf=user.caf_id)
    return people.filter(role__in=["correspondent", "lab_staff"])


CONTACTS = Source(
    scope=lambda user, params: contacts_for(user).select_related("caf"),
    match=match_people,
    resolve=resolve_person,
    value=lambda u: u.email,
    label=lambda u: f"{u} – {u.caf}" if u.caf_id else str(u),
    order=("last_name", "first_name", "email"),
    permission="criees.view_catalogue",
    lists_people=True,
)
