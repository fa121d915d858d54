"""Atom and RSS feeds of "La Caf à votre écoute": the open consultations and the published
restitutions, what an anonymous visitor reads (`Consultation.objects.visible_to`), the 50
newest, two queries whatever the numbers."""

import datetime
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from caflab.core.feeds import LIMIT, PublicFeed, atom
from ecoute.models import Consultation, Restitution


def public_consultations() -> Any:
    return Consultation.objects.visible_to(AnonymousUser())


class OpenConsultationsFeed(PublicFeed):
    title = _("CafLab : consultations ouvertes")
    link = reverse_lazy("ecoute:index")
    description = _(
        "Les consultations « La Caf à votre écoute » ouvertes à tous, les plus récentes d’abord."
    )

    def items(self) -> list[Consultation]:
        return list(
            public_consultations().open().select_related("caf").order_by("-opens_at", "-pk")[:LIMIT]
        )

    def item_title(self, item: Consultation) -> str:
        return item.title

    def item_description(self, item: Consultation) -> str:
        closes = timezone.localtime(item.closes_at).strftime("%d/%m/%Y") if item.closes_at else ""
        return f"{item.summary} — {_('Ouverte jusqu’au')} {closes}" if closes else item.summary

    def item_pubdate(self, item: Consultation) -> datetime.datetime | None:
        return item.opens_at

    def item_updateddate(self, item: Consultation) -> datetime.datetime:
        return item.updated_at

    def item_author_name(self, item: Consultation) -> str:
        return item.caf.name if item.caf else "CafLab"


class RestitutionsFeed(PublicFeed):
    title = _("CafLab : restitutions des consultations")
    link = reverse_lazy("ecoute:index")
    description = _(
        "« Vous avez dit, nous avons fait » : les restitutions publiées, les plus récentes d’abord."
    )

    def items(self) -> list[Restitution]:
        return list(
            Restitution.objects.published()
            .filter(consultation__in=public_consultations())
            .select_related("consultation")
            .order_by("-published_at", "-pk")[:LIMIT]
        )

    def item_title(self, item: Restitution) -> str:
        return str(_("Restitution : %(title)s") % {"title": item.consultation.title})

    def item_description(self, item: Restitution) -> str:
        return item.synthesis

    def item_link(self, item: Restitution) -> str:
        return reverse("ecoute:restitution", kwargs={"slug": item.consultation.slug})

    def item_pubdate(self, item: Restitution) -> datetime.datetime | None:
        return item.published_at

    def item_updateddate(self, item: Restitution) -> datetime.datetime:
        return item.updated_at


OpenConsultationsAtom = atom(OpenConsultationsFeed)
RestitutionsAtom = atom(RestitutionsFeed)
