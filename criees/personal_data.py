"""The criées' sections of "my data" (caflab.accounts.personal_data): initiative teams, comments,
supports and reports, and the person's name on initiatives, criées, pitches and declarations of
interest. On erasure, team places, supports, reports and pitch presentations go; comments stay
(a discussion others answered), signed by nobody once the account is gone (SET_NULL); the
records of the network's work (an initiative created, a pitch decided) stay, without the name."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from caflab.accounts import personal_data
from caflab.accounts.personal_data import Attribution
from criees.models import (
    Comment,
    CommentReport,
    Criee,
    Initiative,
    InitiativeFile,
    InitiativeImage,
    InitiativeMember,
    InitiativeStatusChange,
    InterestDeclaration,
    Pitch,
    Support,
)

ATTRIBUTIONS = [
    Attribution(Initiative, "created_by", gettext_lazy("Créée par vous"), "title"),
    Attribution(Initiative, "promoted_by", gettext_lazy("Promue par vous"), "title", "promoted_at"),
    Attribution(
        InitiativeStatusChange,
        "changed_by",
        gettext_lazy("Statut changé par vous"),
        "initiative__title",
        "changed_at",
    ),
    Attribution(InitiativeFile, "uploaded_by", gettext_lazy("Déposé par vous"), "name"),
    Attribution(InitiativeImage, "uploaded_by", gettext_lazy("Déposée par vous"), "name"),
    Attribution(
        Comment,
        "moderated_by",
        gettext_lazy("Modéré par vous"),
        "initiative__title",
        "moderated_at",
    ),
    Attribution(Criee, "created_by", gettext_lazy("Organisée par vous"), "title", "starts_at"),
    Attribution(Pitch, "proposed_by", gettext_lazy("Proposé par vous"), "initiative__title"),
    Attribution(
        Pitch, "decided_by", gettext_lazy("Décidé par vous"), "initiative__title", "decided_at"
    ),
    Attribution(Pitch, "presenters", gettext_lazy("Présenté par vous"), "initiative__title"),
    Attribution(
        InterestDeclaration,
        "contact_person",
        gettext_lazy("Vous en êtes le contact"),
        "initiative__title",
    ),
    Attribution(
        InterestDeclaration, "declared_by", gettext_lazy("Déclarée par vous"), "initiative__title"
    ),
]


def export_memberships(user) -> list[dict]:
    return [
        {
            _("Initiative"): m.initiative.title,
            _("Rôle dans l’équipe"): m.get_role_display(),
            _("Membre depuis le"): m.created_at,
        }
        for m in InitiativeMember.objects.filter(user=user)
        .select_related("initiative")
        .order_by("created_at", "pk")
    ]


def export_comments(user) -> list[dict]:
    return [
        {
            _("Initiative"): c.initiative.title,
            _("Commentaire"): c.text,
            _("Statut"): c.get_status_display(),
            _("Écrit le"): c.created_at,
        }
        for c in Comment.objects.filter(author=user)
        .select_related("initiative")
        .order_by("created_at", "pk")
    ]


def export_supports(user) -> list[dict]:
    rows = [
        {_("Initiative soutenue"): s.initiative.title, _("Le"): s.created_at}
        for s in Support.objects.filter(user=user)
        .select_related("initiative")
        .order_by("created_at", "pk")
    ]
    rows += [
        {_("Commentaire signalé"): r.comment.text[:80], _("Motif"): r.reason, _("Le"): r.created_at}
        for r in CommentReport.objects.filter(reporter=user)
        .select_related("comment")
        .order_by("created_at", "pk")
    ]
    return rows


def export_activity(user) -> list[dict]:
    return personal_data.export_attributions(user, ATTRIBUTIONS)


def erase(user) -> None:
    InitiativeMember.objects.filter(user=user).delete()
    Support.objects.filter(user=user).delete()
    CommentReport.objects.filter(reporter=user).delete()
    Comment.objects.filter(author=user).update(author=None)  # SET_NULL, a tombstone included
    personal_data.leave_places(user, ATTRIBUTIONS)


def register() -> None:
    personal_data.register(
        "criees.memberships",
        gettext_lazy("Les équipes d’initiatives dont vous êtes membre"),
        export=export_memberships,
        erase=erase,
        order=55,
        covers=[
            ("criees.InitiativeMember", "user"),
            ("criees.Support", "user"),
            ("criees.CommentReport", "reporter"),
        ],
    )
    personal_data.register(
        "criees.comments",
        gettext_lazy("Vos commentaires sur les initiatives"),
        export_comments,
        order=56,
        covers=[("criees.Comment", "author")],
    )
    personal_data.register(
        "criees.supports",
        gettext_lazy("Les initiatives que vous soutenez et vos signalements"),
        export_supports,
        order=57,
        covers=[("criees.Support", "user"), ("criees.CommentReport", "reporter")],
    )
    personal_data.register(
        "criees.activity",
        gettext_lazy("Votre nom sur les initiatives et les criées"),
        export_activity,
        order=58,
        covers=[a.cover for a in ATTRIBUTIONS],
    )
