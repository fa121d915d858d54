"""Écoute's sections of "my data" (caflab.accounts.personal_data): named answers, e-mails left
to hear back, community memberships and invitations, contributions and comments, supports and
reports, registrations to workshops. On erasure, answers stay, detached from the account (as
anonymous answers are); published contributions and comments stay as public content whose
author is erased with the account; live registrations are cancelled (freeing their seat for
the waiting list); everything else goes.

The staff's work (consultations owned, workshops created, moderation, official answers,
restitutions published and mailed, community invitations sent, exports asked for) is listed
by the "attributions" section, like the criées' and the evaluation's: on erasure it stays
without the name (SET_NULL), or signed by the tombstone (a consultation's owner and a
workshop's creator are PROTECT: the account is kept as an anonymous tombstone rather than the
consultation lost). An export of answers is the requester's own download: it goes, file
included, whether the account is deleted or kept as a tombstone."""

from django.db import transaction
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from caflab.accounts import personal_data
from caflab.accounts.personal_data import Attribution
from ecoute.models import (
    Answer,
    CommunityConsultationInvite,
    CommunityInvitation,
    Consultation,
    ConsultationStatusChange,
    Contribution,
    ContributionComment,
    ContributionCommentReport,
    ContributionReport,
    ContributionSupport,
    DecisionUpdate,
    ExportJob,
    HearBackRequest,
    Membership,
    OfficialAnswer,
    ParticipationToken,
    PendingSubmission,
    Questionnaire,
    Recruitment,
    Registration,
    Response,
    Restitution,
    RestitutionMailing,
)
from ecoute.services.answering import account_participation_key

# Titles are the consultation's, the workshop's, the community's or the contribution's: never an
# invitee's address, nor a link.
STAFF_WORK = [
    Attribution(Consultation, "owner", gettext_lazy("Vous en êtes responsable"), "title"),
    Attribution(
        ConsultationStatusChange,
        "changed_by",
        gettext_lazy("Statut changé par vous"),
        "consultation__title",
        "changed_at",
    ),
    Attribution(Recruitment, "created_by", gettext_lazy("Créé par vous"), "title"),
    Attribution(
        CommunityInvitation, "invited_by", gettext_lazy("Envoyée par vous"), "community__name"
    ),
    Attribution(
        Contribution, "moderated_by", gettext_lazy("Modérée par vous"), "title", "moderated_at"
    ),
    Attribution(
        ContributionComment,
        "moderated_by",
        gettext_lazy("Modéré par vous"),
        "contribution__title",
        "moderated_at",
    ),
    Attribution(
        OfficialAnswer, "answered_by", gettext_lazy("Répondue par vous"), "contribution__title"
    ),
    Attribution(
        Restitution,
        "published_by",
        gettext_lazy("Publiée par vous"),
        "consultation__title",
        "published_at",
    ),
    Attribution(
        RestitutionMailing,
        "requested_by",
        gettext_lazy("Envoi demandé par vous"),
        "restitution__consultation__title",
    ),
    Attribution(
        ExportJob, "requested_by", gettext_lazy("Demandé par vous"), "questionnaire__title"
    ),
    Attribution(
        Consultation,
        "no_restitution_by",
        gettext_lazy("Archivée sans restitution par vous"),
        "title",
        "no_restitution_at",
    ),
    Attribution(
        DecisionUpdate,
        "by",
        gettext_lazy("Suivi d’une décision mis à jour par vous"),
        "decision__restitution__consultation__title",
        "at",
    ),
]


def _answer_text(answer: Answer) -> str:
    parts = [option.label for option in (c.option for c in answer.choices.all())]
    for value in (answer.value_text, answer.value_number, answer.value_date, answer.value_bool):
        if value not in (None, ""):
            parts.append(_("oui") if value is True else _("non") if value is False else str(value))
    if answer.other_text:
        parts.append(answer.other_text)
    return ", ".join(parts)


def export_responses(user) -> list[dict]:
    responses = (
        Response.objects.filter(respondent=user)
        .select_related("questionnaire__consultation")
        .prefetch_related(
            Prefetch(
                "answers",
                queryset=Answer.objects.select_related("question")
                .prefetch_related("choices__option")
                .order_by("question__section__position", "question__position", "pk"),
            )
        )
        .order_by("submitted_on", "pk")
    )
    return [
        {
            _("Consultation"): str(r.questionnaire.consultation or r.questionnaire),
            _("Envoyée le"): r.submitted_on,
            _("Réponses"): [f"{a.question.label} : {_answer_text(a)}" for a in r.answers.all()],
        }
        for r in responses
    ]


def export_hear_back(user) -> list[dict]:
    return [
        {
            _("Questionnaire"): h.questionnaire.title,
            _("Adresse e-mail"): h.email,
            _("Demandé le"): h.created_on,
        }
        for h in HearBackRequest.objects.filter(email=user.email).select_related("questionnaire")
    ] + [
        {
            _("Questionnaire"): waiting.questionnaire.title,
            _("Adresse e-mail"): waiting.payload["email"],
            _("Demandé le"): waiting.queued_on,
        }
        for waiting in PendingSubmission.objects.filter(
            kind=PendingSubmission.Kind.HEAR_BACK, payload__email=user.email.lower()
        ).select_related("questionnaire")
    ]


def export_memberships(user) -> list[dict]:
    return [
        {
            _("Communauté"): m.community.name,
            _("Membre depuis le"): m.joined_at,
            _("A quitté le"): m.left_at,
            _("Consentement donné le"): m.consent_given_at,
            _("Version du consentement"): m.consent_version,
        }
        for m in Membership.objects.filter(user=user).select_related("community")
    ]


def export_invitations(user) -> list[dict]:
    rows = [
        {
            _("Communauté"): i.community.name,
            _("Invitation envoyée le"): i.created_at,
            _("Acceptée le"): i.accepted_at,
        }
        for i in CommunityInvitation.objects.filter(email=user.email).select_related("community")
    ]
    rows += [
        {_("Consultation"): i.consultation.title, _("Invitation envoyée le"): i.invited_at}
        for i in CommunityConsultationInvite.objects.filter(user=user).select_related(
            "consultation"
        )
    ]
    return rows


def export_contributions(user) -> list[dict]:
    rows = [
        {
            _("Consultation"): c.consultation.title,
            _("Contribution"): c.title,
            _("Texte"): c.text,
            _("Statut"): c.get_status_display(),
            _("Réponse officielle"): c.get_answer_status_display(),
            _("Proposée le"): c.created_at,
        }
        for c in Contribution.objects.filter(author=user).select_related("consultation")
    ]
    rows += [
        {
            _("Contribution"): comment.contribution.title,
            _("Commentaire"): comment.text,
            _("Statut"): comment.get_status_display(),
            _("Écrit le"): comment.created_at,
        }
        for comment in ContributionComment.objects.filter(author=user).select_related(
            "contribution"
        )
    ]
    return rows


def export_contribution_activity(user) -> list[dict]:
    rows = [
        {_("Contribution soutenue"): s.contribution.title, _("Le"): s.created_at}
        for s in ContributionSupport.objects.filter(user=user).select_related("contribution")
    ]
    rows += [
        {
            _("Contribution signalée"): r.contribution.title,
            _("Motif"): r.reason,
            _("Le"): r.created_at,
        }
        for r in ContributionReport.objects.filter(reporter=user).select_related("contribution")
    ]
    rows += [
        {_("Commentaire signalé"): r.comment.text[:80], _("Motif"): r.reason, _("Le"): r.created_at}
        for r in ContributionCommentReport.objects.filter(reporter=user).select_related("comment")
    ]
    return rows


def export_registrations(user) -> list[dict]:
    return [
        {
            _("Atelier"): r.recruitment.title,
            _("Date"): r.recruitment.starts_at,
            _("Statut"): r.get_status_display(),
            _("Inscrit le"): r.registered_at,
        }
        for r in Registration.objects.filter(user=user).select_related("recruitment")
    ]


def export_staff_work(user) -> list[dict]:
    return personal_data.export_attributions(user, STAFF_WORK)


def erase_staff_work(user) -> None:
    """Exports go with their files (CASCADE would leave the files, and a tombstone would keep
    both); the rest is left as the registry does: SET_NULL emptied, PROTECT to the tombstone.
    A build still running finds its job gone and drops its file (`jobs.complete` fails)."""
    exports = ExportJob.objects.filter(requested_by=user)
    files = [job.file for job in exports.only("file") if job.file.name]
    exports.delete()

    def delete_files() -> None:
        for file in files:
            file.storage.delete(file.name)

    # After the commit: a rolled-back erasure keeps the files its rows still name.
    transaction.on_commit(delete_files)
    personal_data.leave_places(user, STAFF_WORK)


def erase_contribution_activity(user) -> None:
    ContributionReport.objects.filter(reporter=user).delete()
    ContributionCommentReport.objects.filter(reporter=user).delete()


def erase_registrations(user) -> None:
    from ecoute.services.recruitment import registration_cancel

    live = Registration.objects.filter(user=user).exclude(status=Registration.Status.CANCELLED)
    for registration in live:
        registration_cancel(registration=registration)
    Registration.objects.filter(user=user).delete()


def erase(user) -> None:
    Response.objects.filter(respondent=user).update(respondent=None)
    HearBackRequest.objects.filter(email=user.email).delete()
    CommunityInvitation.objects.filter(email=user.email).delete()
    CommunityConsultationInvite.objects.filter(user=user).delete()
    Membership.objects.filter(user=user).delete()
    # An address waiting for its anonymous batch (ecoute.services.batches).
    PendingSubmission.objects.filter(
        kind=PendingSubmission.Kind.HEAR_BACK, payload__email=user.email.lower()
    ).delete()
    # "This account answered" markers of anonymous consultations: keyed hashes of the account's
    # participation secret. The secret goes too: any marker left can no longer be attributed.
    if user.participation_secret:
        questionnaires = Questionnaire.objects.filter(consultation__allow_anonymous=True)
        keys = [account_participation_key(q, user) for q in questionnaires.only("pk")]
        for start in range(0, len(keys), 500):
            ParticipationToken.objects.filter(token_hash__in=keys[start : start + 500]).delete()
        type(user).objects.filter(pk=user.pk).update(participation_secret="")
        user.participation_secret = ""


def register() -> None:
    personal_data.register(
        "ecoute.responses",
        gettext_lazy("Vos réponses aux consultations (avec votre compte)"),
        export=export_responses,
        erase=erase,
        order=30,
        covers=[("ecoute.Response", "respondent")],
    )
    personal_data.register(
        "ecoute.hear_back",
        gettext_lazy("Les adresses laissées pour être informé des suites"),
        export_hear_back,
        order=31,
    )
    personal_data.register(
        "ecoute.memberships",
        gettext_lazy("Vos communautés"),
        export_memberships,
        order=40,
        covers=[("ecoute.Membership", "user")],
    )
    personal_data.register(
        "ecoute.invitations",
        gettext_lazy("Vos invitations"),
        export_invitations,
        order=41,
        covers=[("ecoute.CommunityConsultationInvite", "user")],
    )
    personal_data.register(
        "ecoute.contributions",
        gettext_lazy("Vos contributions et commentaires"),
        export_contributions,
        order=50,
        covers=[("ecoute.Contribution", "author"), ("ecoute.ContributionComment", "author")],
    )
    personal_data.register(
        "ecoute.contribution_activity",
        gettext_lazy("Vos soutiens et signalements"),
        export_contribution_activity,
        erase=erase_contribution_activity,
        order=51,
        covers=[
            ("ecoute.ContributionSupport", "user"),
            ("ecoute.ContributionReport", "reporter"),
            ("ecoute.ContributionCommentReport", "reporter"),
        ],
    )
    personal_data.register(
        "ecoute.registrations",
        gettext_lazy("Vos inscriptions aux ateliers"),
        export_registrations,
        erase=erase_registrations,
        order=60,
        covers=[("ecoute.Registration", "user")],
    )
    personal_data.register(
        "ecoute.activity",
        gettext_lazy("Votre nom sur les consultations, la modération et les restitutions"),
        export_staff_work,
        erase=erase_staff_work,
        order=61,
        covers=[a.cover for a in STAFF_WORK],
    )
