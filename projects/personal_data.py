"""The idea box's sections of "my data" (caflab.accounts.personal_data): ideas written or
co-written, comments, supports. On erasure, supports and co-authorships go; ideas and comments
stay (others built on them: triage, merges, projects), signed by the anonymised account."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from caflab.accounts import personal_data
from projects.models import Idea, IdeaComment, IdeaSupport


def export_ideas(user) -> list[dict]:
    ideas = (Idea.objects.filter(author=user) | Idea.objects.filter(co_authors=user)).distinct()
    return [
        {
            _("Titre"): idea.title,
            _("Problème constaté"): idea.problem,
            _("Solution proposée"): idea.solution,
            _("Statut"): idea.get_status_display(),
            _("Déposée le"): idea.created_at,
            _("Vous en êtes"): _("l'auteur") if idea.author_id == user.pk else _("co-auteur"),
        }
        for idea in ideas.order_by("created_at", "pk")
    ]


def export_comments(user) -> list[dict]:
    return [
        {_("Idée"): c.idea.title, _("Commentaire"): c.body, _("Écrit le"): c.created_at}
        for c in IdeaComment.objects.filter(author=user)
        .select_related("idea")
        .order_by("created_at", "pk")
    ]


def export_supports(user) -> list[dict]:
    return [
        {_("Idée soutenue"): s.idea.title, _("Le"): s.created_at}
        for s in IdeaSupport.objects.filter(user=user)
        .select_related("idea")
        .order_by("created_at", "pk")
    ]


def erase(user) -> None:
    IdeaSupport.objects.filter(user=user).delete()
    Idea.co_authors.through.objects.filter(user=user).delete()


def register() -> None:
    personal_data.register(
        "projects.ideas",
        gettext_lazy("Vos idées"),
        export=export_ideas,
        erase=erase,
        order=50,
    )
    personal_data.register(
        "projects.comments",
        gettext_lazy("Vos commentaires sur les idées"),
        export_comments,
        order=51,
    )
    personal_data.register(
        "projects.supports", gettext_lazy("Les idées que vous soutenez"), export_supports, order=52
    )
