"""Evaluation's sections of "my data" (caflab.accounts.personal_data): the measurements a person
entered, the testimonies they collected, the survey invitations sent to their address, and
their name on plans, judgements, effects, reports and recommendations.

On erasure, the evaluation's evidence stays (a measurement, a testimony, a judgement are the
project's, and other people's words for a testimony), without the name: these foreign keys are
SET_NULL, emptied by the account's deletion. Survey invitations sent to the person's address
lose the address (as they do once used); answers to a survey are écoute's responses, covered
by écoute's section."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from caflab.accounts import personal_data
from caflab.accounts.personal_data import Attribution
from evaluation.models import (
    EcologicalRating,
    Effect,
    EffectChange,
    EvaluationPlan,
    ImpactReport,
    Indicator,
    Judgement,
    ManagementResponse,
    Measurement,
    PlanVersion,
    Recommendation,
    Survey,
    SurveyInvitation,
    Testimony,
)

ATTRIBUTIONS = [
    Attribution(Indicator, "owner", gettext_lazy("Vous en êtes responsable"), "name"),
    Attribution(
        EvaluationPlan,
        "updated_by",
        gettext_lazy("Mis à jour par vous"),
        "project__title",
        "updated_at",
    ),
    Attribution(
        PlanVersion, "created_by", gettext_lazy("Enregistrée par vous"), "plan__project__title"
    ),
    Attribution(Judgement, "judged_by", gettext_lazy("Jugé par vous"), "project__title"),
    Attribution(
        EcologicalRating, "assessed_by", gettext_lazy("Évaluée par vous"), "project__title"
    ),
    Attribution(Survey, "created_by", gettext_lazy("Créée par vous"), "title"),
    Attribution(
        SurveyInvitation, "invited_by", gettext_lazy("Envoyée par vous"), "wave__survey__title"
    ),
    Attribution(Effect, "owner", gettext_lazy("Vous en êtes responsable"), "description"),
    Attribution(Effect, "recorded_by", gettext_lazy("Relevé par vous"), "description"),
    Attribution(
        EffectChange,
        "changed_by",
        gettext_lazy("Statut changé par vous"),
        "effect__description",
        "changed_at",
    ),
    Attribution(ImpactReport, "requested_by", gettext_lazy("Demandé par vous"), "title"),
    Attribution(Recommendation, "created_by", gettext_lazy("Rédigée par vous"), "text"),
    Attribution(
        ManagementResponse, "owner", gettext_lazy("Vous en êtes responsable"), "action", "due_on"
    ),
    Attribution(ManagementResponse, "answered_by", gettext_lazy("Répondue par vous"), "action"),
]


def export_measurements(user) -> list[dict]:
    return [
        {
            _("Projet"): m.indicator.project.title,
            _("Indicateur"): m.indicator.name,
            _("Caf"): str(m.caf) if m.caf_id else "",
            _("Période"): m.period,
            _("Valeur"): m.value,
            _("Source"): m.source,
            _("Preuve, commentaire"): m.evidence,
            _("Saisie le"): m.created_at,
        }
        for m in Measurement.objects.filter(entered_by=user)
        .select_related("indicator__project", "caf")
        .order_by("created_at", "pk")
    ]


def export_testimonies(user) -> list[dict]:
    return [
        {
            _("Projet"): t.project.title,
            _("Témoignage"): t.text,
            _("Tonalité"): t.get_tone_display(),
            _("Recueilli le"): t.collected_on,
        }
        for t in Testimony.objects.filter(collected_by=user)
        .select_related("project")
        .order_by("created_at", "pk")
    ]


def export_survey_invitations(user) -> list[dict]:
    return [
        {
            _("Enquête"): i.wave.survey.title,
            _("Adresse e-mail"): i.email,
            _("Envoyée le"): i.sent_at,
            _("Utilisée le"): i.used_at,
        }
        for i in SurveyInvitation.objects.filter(email__iexact=user.email)
        .select_related("wave__survey")
        .order_by("created_at", "pk")
    ]


def export_activity(user) -> list[dict]:
    return personal_data.export_attributions(user, ATTRIBUTIONS)


def erase(user) -> None:
    if user.email:
        SurveyInvitation.objects.filter(email__iexact=user.email).update(email="")
    personal_data.leave_places(user, ATTRIBUTIONS)


def register() -> None:
    personal_data.register(
        "evaluation.measurements",
        gettext_lazy("Les mesures d’indicateurs que vous avez saisies"),
        export=export_measurements,
        erase=erase,
        order=70,
        covers=[("evaluation.Measurement", "entered_by")],
    )
    personal_data.register(
        "evaluation.testimonies",
        gettext_lazy("Les témoignages que vous avez recueillis"),
        export_testimonies,
        order=71,
        covers=[("evaluation.Testimony", "collected_by")],
    )
    personal_data.register(
        "evaluation.survey_invitations",
        gettext_lazy("Les invitations à une enquête reçues à votre adresse"),
        export_survey_invitations,
        order=72,
    )
    personal_data.register(
        "evaluation.activity",
        gettext_lazy("Votre nom sur l’évaluation des projets"),
        export_activity,
        order=73,
        covers=[a.cover for a in ATTRIBUTIONS],
    )
