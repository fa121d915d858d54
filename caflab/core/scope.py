"""Which part of the network a page's figures cover, said in one short line under its heading:
"Périmètre : tout le réseau (101 Caf)", "Périmètre : Caf de l'Isère", "Périmètre : vos
projets" (templates/components/scope_line.html). Each page words its scope from the queryset
rule it already applies (e.g. projects.models.ProjectQuerySet.scope_label); the shared pieces
are here.
"""

from typing import Any

from django.utils.translation import gettext as _

# The Caf of the network, loaded by the migrations' reference data (101: one per département,
# overseas included). A constant, so that saying it costs no query on pinned pages;
# tests/core/test_scope.py checks it against the reference data.
NETWORK_SIZE = 101


def network_scope() -> str:
    """ "tout le réseau (101 Caf)"."""
    return _("tout le réseau (%(n)s Caf)") % {"n": NETWORK_SIZE}


def caf_scope(caf: Any) -> str:
    """ "Caf de l'Isère": the Caf's name, as the reference data writes it."""
    return str(caf.name)


def home_scope(user: Any) -> str:
    """What the home page's panels ("Ce qui vous attend") count for `user`: the whole network
    for the lab and the moderators, the Caf and oneself for a correspondent (the Caf's ideas to
    triage, its initiatives), oneself for everyone else."""
    if user.is_moderator:  # the lab, the moderators and the administrators
        return network_scope()
    if user.is_correspondent and user.caf_id:
        return _("%(caf)s et ce qui vous concerne") % {"caf": caf_scope(user.caf)}
    return _("ce qui vous concerne (vos idées, projets et contributions)")
