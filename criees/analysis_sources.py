"""What the criées give the analysis of texts: the comments on a criée's initiatives, one
analysis per criée, analysable like a consultation's answers. The criées sit below the analysis
in the import layers: they import nothing of it, and `CrieesConfig.ready()` registers this
source in the core's registry (`caflab.core.textsources`), which the analysis asks.

The texts are the shown comments (and replies) on the initiatives of the criée's programme
(its scheduled pitches, published): a comment hidden by the moderation, masked after reports
or waiting for moderation is left out, as the initiative's page leaves out its text. Each is
copied with the commenter's Caf when known, never with a link to the person.

Quotable: no. A comment is signed (its author's name is shown beside it) and read only inside
the network, on the initiative's page; the analysis quotes only those who may be quoted
(anonymous answers, testimonies whose author consented). Lifting a signed comment into a
results page or a report, out of the network's context, would quote a named colleague who
never agreed to it; its codes still count.

Who may analyse: whoever manages the criée (`criees.analyse_comments`: the lab, as for every
criée's programme); anyone else gets 404."""

from collections.abc import Iterator
from typing import Any

import rules
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from caflab.core.textsources import Source, SourceText
from criees.models import Comment, Criee, Initiative, Pitch

COMMENTS = "criee_comments"
# analysis.models.SourceKind.COMMENT (the criées may not import the analysis).
COMMENT_KIND = "comment"
BATCH = 2000


def criee_comments(criee: Criee) -> QuerySet[Comment]:
    """The shown comments on the published initiatives of the criée's programme."""
    programme = Pitch.objects.filter(criee=criee, status=Pitch.Status.SCHEDULED).values(
        "initiative_id"
    )
    return Comment.objects.visible().filter(
        initiative__in=programme, initiative__status=Initiative.Status.PUBLISHED
    )


def _texts(criee: Criee) -> Iterator[SourceText]:
    rows = criee_comments(criee).order_by("pk").values("pk", "text", "author__caf_id")
    for row in rows.iterator(chunk_size=BATCH):
        yield SourceText(
            COMMENT_KIND,
            row["pk"],
            row["text"],
            is_quotable=False,  # signed and read inside the network only: see above
            caf_id=row["author__caf_id"],
        )


def _may_analyse(user: Any, criee: Criee) -> bool:
    return bool(rules.has_perm("criees.analyse_comments", user, criee))


def _analysable_criees(user: Any) -> QuerySet:
    # The rule itself, not `user.has_perm`: for everyone it refuses, Django's model backend
    # would then load the account's permissions (two queries on every analysis page).
    if not (user.is_authenticated and rules.has_perm("criees.analyse_comments", user)):
        return Criee.objects.none().values("pk")
    return Criee.objects.visible_to(user).order_by().values("pk")


CRIEE_COMMENTS = Source(
    key=COMMENTS,
    label=gettext_lazy("Commentaires des initiatives d’une criée"),
    model=Criee,
    texts=_texts,
    count=lambda criee: criee_comments(criee).count(),
    may_analyse=_may_analyse,
    analysable_by=_analysable_criees,
    title=lambda criee: _("Commentaires – %(title)s") % {"title": criee.title},
    page=lambda criee: (
        str(_("Les criées")),
        reverse("criees:criee-list"),
        criee.get_absolute_url(),
    ),
)
