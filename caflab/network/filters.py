"""GET filters of the network pages (django-filter)."""

import unicodedata
from typing import Any

import django_filters
from django.utils.translation import gettext_lazy as _

from caflab.network.models import Caf, Region


def _sort_key(name: str) -> str:
    """Alphabetical order for French names, so that "Île-de-France" sorts under I."""
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold()


class CafFilter(django_filters.FilterSet):
    # By INSEE code rather than primary key: readable, stable URLs (?region=84), and the value
    # is validated against the choices in memory, so filtering costs no extra query.
    region = django_filters.ChoiceFilter(
        label=_("Région"), field_name="region__code", empty_label=_("Toutes les régions")
    )

    class Meta:
        model = Caf
        fields = ["region"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        regions = sorted(Region.objects.values_list("code", "name"), key=lambda r: _sort_key(r[1]))
        self.filters["region"].extra["choices"] = regions
