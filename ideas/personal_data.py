"""The idea box's sections of "my data" (caflab.accounts.personal_data): ideas written or
co-written, comments, supports and reports, and the person's name on the sources' records
(triage, scores, challenges, creativity sessions). On erasure, supports, reports,
co-authorships and the many-to-many places (jury, entry teams, facilitators) go; ideas and
comments stay (others built on them: triage, merges, projects), signed by the anonymised
account, and the other records stay without the name (SET_NULL) or signed by the tombstone
(PROTECT)."""

from django.db.models import CharField, F, IntegerField, Value
from django.db.models.functions import Substr
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from caflab.accounts import personal_data
from caflab.accounts.personal_data import Attribution
from ideas.models import (
    Challenge,
    ChallengeEntry,
    CreativitySession,
    EntryScore,
    Idea,
    IdeaAttachment,
    IdeaComment,
    IdeaCommentReport,
    IdeaScore,
    IdeaStatusChange,
    IdeaSupport,
    SessionRequest,
    SessionRequestChange,
)

ATTRIBUTIONS = [
    Attribution(Idea, "reviewer", gettext_lazy("Vous l’instruisez"), "title"),
    Attribution(
        IdeaStatusChange,
        "changed_by",
        gettext_lazy("Statut changé par vous"),
        "idea__title",
        "changed_at",
    ),
    Attribution(
        IdeaComment, "moderated_by", gettext_lazy("Modéré par vous"), "idea__title", "moderated_at"
    ),
    Attribution(IdeaAttachment, "uploaded_by", gettext_lazy("Déposée par vous"), "original_name"),
    Attribution(IdeaScore, "reviewer", gettext_lazy("Notée par vous"), "idea__title"),
    Attribution(Challenge, "created_by", gettext_lazy("Créé par vous"), "title"),
    Attribution(Challenge, "jury", gettext_lazy("Vous êtes membre du jury"), "title"),
    Attribution(ChallengeEntry, "submitted_by", gettext_lazy("Déposée par vous"), "title"),
    Attribution(ChallengeEntry, "members", gettext_lazy("Vous êtes dans l’équipe"), "title"),
    Attribution(EntryScore, "reviewer", gettext_lazy("Notée par vous"), "entry__title"),
    Attribution(SessionRequest, "requested_by", gettext_lazy("Demandée par vous"), "title"),
    Attribution(SessionRequest, "handled_by", gettext_lazy("Traitée par vous"), "title"),
    Attribution(
        SessionRequestChange,
        "changed_by",
        gettext_lazy("Statut changé par vous"),
        "request__title",
        "changed_at",
    ),
    Attribution(
        CreativitySession, "facilitators", gettext_lazy("Vous l’animez"), "title", "held_on"
    ),
]


def export_ideas(user) -> list[dict]:
    ideas = (Idea.objects.filter(author=user) | Idea.objects.filter(co_authors=user)).distinct()
    return [
        {
            _("Titre"): idea.title,
            _("Problème constaté"): idea.problem,
            _("Solution proposée"): idea.solution,
            _("Statut"): idea.get_status_display(),
            _("Déposée le"): idea.created_at,
            _("Vous en êtes"): _("l’auteur") if idea.author_id == user.pk else _("co-auteur"),
        }
        for idea in ideas.order_by("created_at", "pk")
    ]


def export_comments(user) -> list[dict]:
    return [
        {_("Idée"): c.idea.title, _("Commentaire"): c.text, _("Écrit le"): c.created_at}
        for c in IdeaComment.objects.filter(author=user)
        .select_related("idea")
        .order_by("created_at", "pk")
    ]


def export_supports(user) -> list[dict]:
    """The supports, then the reports: one UNION query."""
    supports = IdeaSupport.objects.filter(user=user).annotate(
        _kind=Value(0, output_field=IntegerField()),
        _title=F("idea__title"),
        _reason=Value("", output_field=CharField()),
    )
    reports = IdeaCommentReport.objects.filter(reporter=user).annotate(
        _kind=Value(1, output_field=IntegerField()),
        _title=Substr("comment__text", 1, 80),
        _reason=F("reason"),
    )
    fields = ("_kind", "created_at", "pk", "_title", "_reason")
    union = supports.values_list(*fields).union(reports.values_list(*fields), all=True)
    return [
        {_("Idée soutenue"): title, _("Le"): at}
        if kind == 0
        else {_("Commentaire signalé"): title, _("Motif"): reason, _("Le"): at}
        for kind, at, _pk, title, reason in sorted(union)
    ]


def export_activity(user) -> list[dict]:
    return personal_data.export_attributions(user, ATTRIBUTIONS)


def erase(user) -> None:
    IdeaSupport.objects.filter(user=user).delete()
    IdeaCommentReport.objects.filter(reporter=user).delete()
    Idea.co_authors.through.objects.filter(user=user).delete()


def erase_activity(user) -> None:
    personal_data.leave_places(user, ATTRIBUTIONS)


def register() -> None:
    personal_data.register(
        "ideas.ideas",
        gettext_lazy("Vos idées"),
        export=export_ideas,
        erase=erase,
        order=50,
        covers=[
            ("ideas.Idea", "author"),
            ("ideas.Idea", "co_authors"),
            ("ideas.IdeaSupport", "user"),
            ("ideas.IdeaCommentReport", "reporter"),
        ],
    )
    personal_data.register(
        "ideas.comments",
        gettext_lazy("Vos commentaires sur les idées"),
        export_comments,
        order=51,
        covers=[("ideas.IdeaComment", "author")],
    )
    personal_data.register(
        "ideas.supports",
        gettext_lazy("Les idées que vous soutenez et vos signalements"),
        export_supports,
        order=52,
        covers=[("ideas.IdeaSupport", "user"), ("ideas.IdeaCommentReport", "reporter")],
    )
    personal_data.register(
        "ideas.activity",
        gettext_lazy("Votre nom sur la boîte à idées, les défis et les séances"),
        export_activity,
        erase=erase_activity,
        order=55,
        covers=[a.cover for a in ATTRIBUTIONS],
    )
