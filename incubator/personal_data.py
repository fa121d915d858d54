"""The incubator's sections of "my data" (caflab.accounts.personal_data): one's applications
(with their answers and the decision), one's scores as a jury member, and one's name on the
calls, cohorts and milestones of the lab. On erasure the applications and scores stay (what a
selection relied on, PROTECT: the account is kept as a tombstone), the juries lose the person
and the SET_NULL columns are emptied."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from caflab.accounts import personal_data
from caflab.accounts.personal_data import Attribution
from incubator.models import Application, ApplicationScore, Call, Cohort, Milestone

ATTRIBUTIONS = [
    Attribution(Call, "owner", gettext_lazy("Appel à projets dont vous êtes responsable"), "title"),
    Attribution(Call, "jury", gettext_lazy("Membre du jury de l’appel"), "title"),
    Attribution(Application, "decided_by", gettext_lazy("Candidature décidée par vous"), "title"),
    Attribution(Cohort, "created_by", gettext_lazy("Promotion créée par vous"), "title"),
    Attribution(Milestone, "created_by", gettext_lazy("Jalon ajouté par vous"), "title"),
]


def export_applications(user) -> list[dict]:
    return [
        {
            _("Appel à projets"): a.call.title,
            _("Projet"): a.title,
            _("Résumé"): a.summary,
            _("Réponses au formulaire"): a.answers,
            _("Statut"): a.get_status_display(),
            _("Déposée le"): a.submitted_at,
            _("Décision"): a.get_decision_display(),
            _("Motifs"): a.decision_reason,
        }
        for a in Application.objects.filter(applicant=user).select_related("call").order_by("pk")
    ]


def export_scores(user) -> list[dict]:
    return [
        {
            _("Candidature"): s.application.title,
            _("Critère"): s.criterion.label,
            _("Note"): s.score,
            _("Commentaire"): s.comment,
        }
        for s in ApplicationScore.objects.filter(reviewer=user)
        .select_related("application", "criterion")
        .order_by("pk")
    ]


def export_activity(user) -> list[dict]:
    return personal_data.export_attributions(user, ATTRIBUTIONS)


def erase(user) -> None:
    personal_data.leave_places(user, ATTRIBUTIONS)


def register() -> None:
    personal_data.register(
        "incubator.applications",
        gettext_lazy("Vos candidatures aux appels à projets de l’incubateur"),
        export_applications,
        order=80,
        covers=[("incubator.Application", "applicant")],
    )
    personal_data.register(
        "incubator.scores",
        gettext_lazy("Vos notes de jury aux appels à projets"),
        export_scores,
        order=81,
        covers=[("incubator.ApplicationScore", "reviewer")],
    )
    personal_data.register(
        "incubator.activity",
        gettext_lazy("Votre nom sur les appels à projets et les promotions de l’incubateur"),
        export_activity,
        erase=erase,
        order=82,
        covers=[a.cover for a in ATTRIBUTIONS],
    )
