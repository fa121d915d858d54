"""Atom and RSS feed of the portfolio's public news: the stage changes of the projects whose
sheet is public (`Project.objects.published()`, what anyone reads), the 50 latest, linked to
the public sheet. One query whatever the numbers."""

import datetime

from django.conf import settings
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext_lazy as _

from caflab.core.feeds import LIMIT, PublicFeed, atom
from projects.models import Project, Stage, StageChange


class ProjectNewsFeed(PublicFeed):
    title = _("CafLab : actualité des projets")
    link = reverse_lazy("projects:index")
    description = _(
        "Les changements d’étape des projets à fiche publique, les plus récents d’abord."
    )

    def items(self) -> list[StageChange]:
        return list(
            StageChange.objects.filter(project__in=Project.objects.published())
            .select_related("project")
            .order_by("-changed_at", "-pk")[:LIMIT]
        )

    def item_title(self, item: StageChange) -> str:
        return str(
            _("%(project)s : %(stage)s")
            % {"project": item.project.title, "stage": Stage(item.to_stage).label}
        )

    def item_description(self, item: StageChange) -> str:
        if item.from_stage:
            return str(
                _("Le projet %(code)s passe de l’étape « %(from)s » à l’étape « %(to)s ».")
                % {
                    "code": item.project.code,
                    "from": Stage(item.from_stage).label,
                    "to": Stage(item.to_stage).label,
                }
            )
        return str(
            _("Le projet %(code)s entre dans le portefeuille à l’étape « %(to)s ».")
            % {"code": item.project.code, "to": Stage(item.to_stage).label}
        )

    def item_link(self, item: StageChange) -> str:
        return reverse("projects:public-sheet", kwargs={"code": item.project.code})

    # A project's page has several news: each is its sheet's address with its own fragment.
    item_guid_is_permalink = False

    def item_guid(self, item: StageChange) -> str:
        return f"{settings.SITE_URL}{self.item_link(item)}#etape-{item.pk}"

    def item_pubdate(self, item: StageChange) -> datetime.datetime:
        return item.changed_at


ProjectNewsAtom = atom(ProjectNewsFeed)
