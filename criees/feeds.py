"""Atom and RSS feeds of the newly published initiatives: the 50 latest of the catalogue (title,
summary, Caf, no contact, no team). Like the catalogue, they are the network's members' only
(the routes wrap them in `criees.views.base.network_only`: anonymous → login page, citizens →
403): published initiatives are not open data. One query whatever the numbers."""

import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from caflab.core.feeds import LIMIT, PublicFeed, atom
from criees.models import Initiative


class PublishedInitiativesFeed(PublicFeed):
    title = _("CafLab : initiatives locales publiées")
    link = reverse_lazy("criees:index")
    description = _("Les initiatives des Caf validées par le CafLab, les plus récentes d’abord.")

    def __call__(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().__call__(request, *args, **kwargs)
        # Read after signing in: no shared cache may keep it.
        response["Cache-Control"] = f"private, max-age={self.cache_seconds}"
        return response

    def get_object(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        return request.user

    def items(self, user: Any) -> list[Initiative]:
        return list(
            Initiative.objects.visible_to(user)
            .published()
            .select_related("caf")
            .order_by("-published_at", "-pk")[:LIMIT]
        )

    def item_title(self, item: Initiative) -> str:
        return f"{item.title} ({item.caf.name})"

    def item_description(self, item: Initiative) -> str:
        return item.summary

    def item_pubdate(self, item: Initiative) -> datetime.datetime | None:
        return item.published_at

    def item_updateddate(self, item: Initiative) -> datetime.datetime:
        return item.updated_at

    def item_author_name(self, item: Initiative) -> str:
        return item.caf.name


PublishedInitiativesAtom = atom(PublishedInitiativesFeed)
