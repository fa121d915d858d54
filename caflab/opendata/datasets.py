"""The open-data datasets: what each one holds (its Table Schema) and where its rows come from.

Only what the site already shows to anyone is published: public project sheets, consultations
an anonymous visitor sees (with their aggregate results once published, the small-group rule of
`ecoute.results` applied), published restitutions and the follow-up of their decisions, events
for the public, the network's Caf and programmes. Initiatives and criées are not open data:
even published, the site shows them to the network's members only. Never a name, an e-mail, a
contact field, a free-text answer, an unpublished contribution, a draft or a private item: each
dataset names its columns one by one (no "all fields"), so a column added to a model never
leaks by itself.

A dataset is described once (`Dataset`): its fields (name, type, French title and description),
its primary key, and `rows()`, which yields one dict per row with Python values (str, int,
bool, date, datetime, None). `caflab.opendata.services` writes them as CSV (through the core's
formula-safe writer) and as JSON, and the schema as a Table Schema (specs.frictionlessdata.io,
the format of schema.data.gouv.fr).
"""

import datetime
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Exists, Max, OuterRef, Prefetch, Q
from django.urls import reverse

from caflab.network.models import Caf, Programme
from ecoute.models import CHOICE_KINDS, Consultation, Decision, Question, Restitution
from ecoute.models.consultations import ConsultationStatusChange
from ecoute.results import MIN_GROUP_SIZE
from ecoute.services.results import stored_results
from events.models import Event
from projects.models import Deployment, Project

Row = dict[str, Any]
LICENSE = {
    "name": "etalab-2.0",
    "title": "Licence Ouverte / Open Licence version 2.0",
    "path": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
}
# Several values in one cell (themes, Caf codes): joined with this, which no name holds.
SEPARATOR = " | "


@dataclass(frozen=True)
class Field:
    name: str
    type: str  # a Table Schema type: string, integer, number, boolean, date, datetime
    title: str
    description: str
    required: bool = False
    enum: tuple[str, ...] = ()

    def descriptor(self) -> dict[str, Any]:
        described: dict[str, Any] = {
            "name": self.name,
            "type": self.type,
            "title": self.title,
            "description": self.description,
        }
        if self.type == "datetime":
            described["format"] = "default"  # RFC 3339 in UTC: 2026-12-06T22:30:00Z
        constraints: dict[str, Any] = {}
        if self.required:
            constraints["required"] = True
        if self.enum:
            constraints["enum"] = list(self.enum)
        if constraints:
            described["constraints"] = constraints
        return described


@dataclass(frozen=True)
class Dataset:
    slug: str
    title: str
    description: str
    fields: tuple[Field, ...]
    primary_key: tuple[str, ...]
    rows: Callable[[], Iterator[Row]] = field(compare=False)

    @property
    def header(self) -> list[str]:
        return [f.name for f in self.fields]

    def schema(self) -> dict[str, Any]:
        """The Table Schema (frictionless v1, as schema.data.gouv.fr publishes)."""
        return {
            "$schema": "https://specs.frictionlessdata.io/schemas/table-schema.json",
            "name": self.slug,
            "title": self.title,
            "description": self.description,
            "licenses": [LICENSE],
            "fields": [f.descriptor() for f in self.fields],
            "primaryKey": list(self.primary_key),
            "missingValues": [""],
        }


# --- values -------------------------------------------------------------------------------


def utc(value: datetime.datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def json_value(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        return utc(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def csv_value(value: Any) -> str | None:
    """The text of a CSV cell. Typed values are written in the Table Schema's own formats
    (ISO dates, "true"/"false", a dot for decimals), as text: the core's writer would write a
    decimal comma and a French date for Excel."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (datetime.datetime, datetime.date, Decimal)):
        return str(json_value(value))
    return str(value)


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def names(items: Any) -> str:
    return SEPARATOR.join(sorted(str(item) for item in items))


# --- the rows -------------------------------------------------------------------------------


def public_projects() -> Any:
    return Project.objects.published()


def caf_rows() -> Iterator[Row]:
    for caf in Caf.objects.select_related("region").order_by("position"):
        yield {
            "code": caf.code,
            "nom": caf.name,
            "departement": caf.department,
            "region_code": caf.region.code,
            "region": caf.region.name,
            "type_organisme": caf.kind,
            "outre_mer": caf.is_overseas,
        }


def programme_rows() -> Iterator[Row]:
    for programme in Programme.objects.order_by("slug"):
        yield {
            "identifiant": programme.slug,
            "nom": programme.name,
            "description": programme.description,
            "actif": programme.is_active,
        }


def project_rows() -> Iterator[Row]:
    live = Deployment.objects.live().select_related("caf").order_by("caf__position")
    projects = (
        public_projects()
        .select_related("pilot_caf", "sponsor")
        .prefetch_related("themes", "programmes", Prefetch("deployments", queryset=live))
        .order_by("code")
    )
    for project in projects:
        deployments = list(project.deployments.all())
        yield {
            "code": project.code,
            "titre": project.title,
            "probleme": project.problem,
            "solution": project.solution,
            "publics_vises": project.target_publics,
            "etape": project.stage,
            "etape_libelle": str(project.get_stage_display()),
            "etape_depuis": project.stage_changed_at,
            "filiere": project.track,
            "caf_pilote_code": project.pilot_caf.code if project.pilot_caf else None,
            "direction_sponsor": project.sponsor.acronym if project.sponsor else None,
            "themes": names(project.themes.all()),
            "programmes": names(project.programmes.all()),
            "caf_deploiement_codes": SEPARATOR.join(d.caf.code for d in deployments),
            "nombre_caf_deploiement": len(deployments),
            "date_lancement": project.started_on,
            "url": absolute(reverse("projects:public-sheet", kwargs={"code": project.code})),
            "mis_a_jour_le": project.updated_at,
        }


def deployment_rows() -> Iterator[Row]:
    deployments = (
        Deployment.objects.live()
        .filter(project__in=public_projects())
        .select_related("project", "caf")
        .order_by("project__code", "caf__position")
    )
    for deployment in deployments:
        yield {
            "projet_code": deployment.project.code,
            "caf_code": deployment.caf.code,
            "statut": deployment.status,
            "statut_libelle": str(deployment.get_status_display()),
            "statut_depuis": deployment.status_changed_at,
        }


def public_consultations() -> Any:
    """What an anonymous visitor sees (public access, out of draft)."""
    return Consultation.objects.visible_to(AnonymousUser()).exclude(
        status=Consultation.Status.DRAFT
    )


def consultation_rows() -> Iterator[Row]:
    consultations = (
        public_consultations()
        .select_related("caf")
        .prefetch_related("perimeter_cafs")
        .annotate(
            has_restitution=Exists(
                Restitution.objects.published().filter(consultation=OuterRef("pk"))
            )
        )
        .order_by("opens_at", "pk")
    )
    for consultation in consultations:
        yield {
            "identifiant": consultation.slug,
            "titre": consultation.title,
            "resume": consultation.summary,
            "public_consulte": consultation.audience,
            "caf_organisatrice_code": consultation.caf.code if consultation.caf else None,
            "perimetre_caf_codes": SEPARATOR.join(
                c.code for c in sorted(consultation.perimeter_cafs.all(), key=lambda c: c.position)
            ),
            "statut": consultation.status,
            "statut_libelle": str(consultation.get_status_display()),
            "ouverture": consultation.opens_at,
            "cloture": consultation.closes_at,
            "recueille_contributions": consultation.collects_contributions,
            "restitution_publiee": consultation.has_restitution,
            "url": absolute(consultation.get_absolute_url()),
        }


def results_published() -> Any:
    """Public consultations whose results were published (archived ones included)."""
    published_once = ConsultationStatusChange.objects.filter(
        consultation=OuterRef("pk"), to_status=Consultation.Status.RESULTS_PUBLISHED
    )
    return public_consultations().filter(
        Q(status=Consultation.Status.RESULTS_PUBLISHED)
        | Q(status=Consultation.Status.ARCHIVED, pk__in=published_once.values("consultation"))
    )


def result_rows() -> Iterator[Row]:
    """Per choice and scale question: how many chose each answer, for everyone (the segment
    "" of the stored results, the site's own aggregates). A consultation with fewer than
    MIN_GROUP_SIZE responses publishes nothing; free texts never (only the number of "other"
    answers); numbers and dates neither (a minimum or a maximum can be one person's)."""
    consultations = results_published().select_related("questionnaire").order_by("slug")
    for consultation in consultations:
        questionnaire = getattr(consultation, "questionnaire", None)
        if questionnaire is None:
            continue
        stored = stored_results(questionnaire)
        if not stored.is_ready or stored.response_count < MIN_GROUP_SIZE:
            continue
        for result in stored.results(questionnaire, None) or []:
            question = result.question
            if question.kind in CHOICE_KINDS:
                answers = [(row.label, row.count, row.percent) for row in result.options]
            elif question.kind == Question.Kind.SCALE:
                answers = [
                    (
                        label,
                        count,
                        round(100 * count / result.answered, 1) if result.answered else None,
                    )
                    for label, count in result.distribution
                ]
            else:
                continue
            for position, (label, count, percent) in enumerate(answers, start=1):
                yield {
                    "consultation": consultation.slug,
                    "question_numero": result.number,
                    "question": question.label,
                    "type_question": question.kind,
                    "reponse_numero": position,
                    "reponse": label,
                    "nombre": count,
                    "part_pourcent": percent,
                    "repondants_question": result.answered,
                    "repondants_consultation": stored.response_count,
                    "calcule_le": stored.computed_at,
                }


def published_restitutions() -> Any:
    return Restitution.objects.published().filter(consultation__in=public_consultations())


def restitution_rows() -> Iterator[Row]:
    restitutions = (
        published_restitutions()
        .select_related("consultation")
        .annotate(n_decisions=Count("decisions"))
        .order_by("consultation__slug")
    )
    for restitution in restitutions:
        yield {
            "consultation": restitution.consultation.slug,
            "synthese": restitution.synthesis,
            "publiee_le": restitution.published_at,
            "nombre_decisions": restitution.n_decisions,
            "url": absolute(restitution.get_absolute_url()),
        }


def decision_rows() -> Iterator[Row]:
    public = set(public_projects().values_list("pk", flat=True))
    decisions = (
        Decision.objects.filter(restitution__in=published_restitutions())
        .select_related("restitution__consultation", "project")
        .annotate(last_update=Max("updates__at"))
        .order_by("pk")
    )
    for decision in decisions:
        project = decision.project if decision.project_id in public else None
        yield {
            "id": decision.pk,
            "consultation": decision.restitution.consultation.slug,
            "ordre": decision.position,
            "vous_avez_dit": decision.said,
            "nous_avons_fait": decision.done,
            "avancement": decision.status,
            "avancement_libelle": str(decision.get_status_display()),
            "progression_pourcent": decision.progress,
            "avancement_depuis": decision.status_changed_at,
            "dernier_point_le": decision.last_update,
            "projet_code": project.code if project else None,
        }


def public_events() -> Any:
    """Events meant for the public, out of draft."""
    return Event.objects.filter(audience=Event.Audience.CITIZENS).exclude(status=Event.Status.DRAFT)


def event_rows() -> Iterator[Row]:
    events = (
        public_events().select_related("caf", "programme").prefetch_related("themes")
    ).order_by("starts_at", "pk")
    for event in events:
        yield {
            "id": event.pk,
            "type": event.kind,
            "type_libelle": str(event.get_kind_display()),
            "titre": event.title,
            "presentation": event.description,
            "lieu": event.place,
            "en_ligne": bool(event.online_url),
            "debut": event.starts_at,
            "fin": event.ends_at,
            "statut": event.status,
            "caf_organisatrice_code": event.caf.code if event.caf else None,
            "programme": event.programme.slug if event.programme else None,
            "themes": names(event.themes.all()),
        }


# --- the catalogue --------------------------------------------------------------------------


def _f(name: str, type_: str, title: str, description: str, **kwargs: Any) -> Field:
    return Field(name, type_, title, description, **kwargs)


URL = "url"
CAF_CODE = "Code département de la Caf (01…95, 2A, 2B, 971…976)."
THEMES = "Thèmes, séparés par « | »."
# The consultation a row of the results, restitutions and decisions belongs to.
CONSULTATION_KEY = _f(
    "consultation",
    "string",
    "Consultation",
    "Identifiant de la consultation (jeu « consultations »).",
    required=True,
)

DATASETS: tuple[Dataset, ...] = (
    Dataset(
        "caf",
        "Caf du réseau",
        "Les caisses d’allocations familiales du réseau (une par département), leur région et "
        "leur type d’organisme.",
        (
            _f("code", "string", "Code", CAF_CODE, required=True),
            _f("nom", "string", "Nom officiel", "Nom officiel de l’organisme.", required=True),
            _f("departement", "string", "Département", "Nom du département."),
            _f("region_code", "string", "Code région", "Code INSEE de la région."),
            _f("region", "string", "Région", "Nom de la région."),
            _f(
                "type_organisme",
                "string",
                "Type d’organisme",
                "caf : caisse d’allocations familiales ; ccss : caisse commune de sécurité "
                "sociale ; css : caisse de sécurité sociale.",
                enum=tuple(Caf.Kind.values),
            ),
            _f("outre_mer", "boolean", "Outre-mer", "Vrai pour une Caf d’outre-mer."),
        ),
        ("code",),
        caf_rows,
    ),
    Dataset(
        "programmes",
        "Programmes d’innovation",
        "Les programmes qui regroupent les projets et les événements (par exemple la "
        "transition écologique).",
        (
            _f(
                "identifiant",
                "string",
                "Identifiant",
                "Identifiant stable du programme.",
                required=True,
            ),
            _f("nom", "string", "Nom", "Nom du programme.", required=True),
            _f("description", "string", "Description", "Présentation du programme."),
            _f("actif", "boolean", "Actif", "Faux pour un programme clos."),
        ),
        ("identifiant",),
        programme_rows,
    ),
    Dataset(
        "projets",
        "Projets du portefeuille (fiches publiques)",
        "Les projets d’innovation dont la fiche est publique : problème, solution, étape, "
        "Caf pilote et Caf où ils sont déployés. Sans nom de personne ni budget.",
        (
            _f("code", "string", "Code", "Code du projet.", required=True),
            _f("titre", "string", "Titre", "Titre du projet.", required=True),
            _f("probleme", "string", "Problème", "Problème à résoudre."),
            _f("solution", "string", "Solution", "Solution proposée et valeur pour les usagers."),
            _f("publics_vises", "string", "Publics visés", "Publics visés par le projet."),
            _f(
                "etape",
                "string",
                "Étape",
                "Code de l’étape : idea, creativity, prototype, experimentation, essaimage, "
                "generalised, shelved (en attente) ou abandoned.",
                required=True,
                enum=(
                    "idea",
                    "creativity",
                    "prototype",
                    "experimentation",
                    "essaimage",
                    "generalised",
                    "shelved",
                    "abandoned",
                ),
            ),
            _f("etape_libelle", "string", "Étape (libellé)", "Libellé français de l’étape."),
            _f(
                "etape_depuis",
                "datetime",
                "Dans cette étape depuis",
                "Date et heure (UTC) du passage à l’étape actuelle.",
            ),
            _f(
                "filiere",
                "string",
                "Filière",
                "national_lab : Lab national ; local_incubator : incubateur local avec "
                "partenaires ; transformation : transformation interne (pratiques "
                "managériales, aménagement des espaces, transformation numérique).",
            ),
            _f("caf_pilote_code", "string", "Caf pilote", CAF_CODE),
            _f(
                "direction_sponsor",
                "string",
                "Direction sponsor",
                "Sigle de la direction de la Cnaf qui parraine le projet.",
            ),
            _f("themes", "string", "Thèmes", THEMES),
            _f("programmes", "string", "Programmes", "Programmes, séparés par « | »."),
            _f(
                "caf_deploiement_codes",
                "string",
                "Caf de déploiement",
                "Codes des Caf où le projet est déployé ou en préparation, séparés par « | ».",
            ),
            _f(
                "nombre_caf_deploiement",
                "integer",
                "Nombre de Caf de déploiement",
                "Nombre de Caf où le projet est déployé ou en préparation.",
            ),
            _f("date_lancement", "date", "Date de lancement", "Date de lancement du projet."),
            _f(URL, "string", "Adresse", "Adresse de la fiche publique du projet."),
            _f(
                "mis_a_jour_le",
                "datetime",
                "Mis à jour le",
                "Date et heure (UTC) de la dernière modification de la fiche.",
            ),
        ),
        ("code",),
        project_rows,
    ),
    Dataset(
        "deploiements",
        "Essaimage des projets publics",
        "Pour chaque projet à fiche publique, les Caf où il est déployé ou en préparation "
        "(essaimage), avec le statut du déploiement.",
        (
            _f(
                "projet_code",
                "string",
                "Projet",
                "Code du projet (jeu « projets »).",
                required=True,
            ),
            _f("caf_code", "string", "Caf", CAF_CODE, required=True),
            _f(
                "statut",
                "string",
                "Statut",
                "interested, preparing, running ou sustained.",
                enum=("interested", "preparing", "running", "sustained"),
            ),
            _f("statut_libelle", "string", "Statut (libellé)", "Libellé français du statut."),
            _f("statut_depuis", "datetime", "Statut depuis", "Date et heure (UTC) du statut."),
        ),
        ("projet_code", "caf_code"),
        deployment_rows,
    ),
    Dataset(
        "consultations",
        "Consultations « La Caf à votre écoute »",
        "Les consultations publiques des usagers et des agents : public consulté, périmètre, "
        "dates et statut.",
        (
            _f(
                "identifiant",
                "string",
                "Identifiant",
                "Identifiant (adresse) de la consultation.",
                required=True,
            ),
            _f("titre", "string", "Titre", "Titre de la consultation.", required=True),
            _f("resume", "string", "Résumé", "Résumé de la consultation."),
            _f(
                "public_consulte",
                "string",
                "Public consulté",
                "citizens, agents ou both.",
                enum=tuple(Consultation.Audience.values),
            ),
            _f(
                "caf_organisatrice_code",
                "string",
                "Caf organisatrice",
                "Code de la Caf organisatrice ; vide pour le CafLab national.",
            ),
            _f(
                "perimetre_caf_codes",
                "string",
                "Périmètre",
                "Codes des Caf concernées, séparés par « | » ; vide : consultation nationale.",
            ),
            _f(
                "statut",
                "string",
                "Statut",
                "scheduled, open, closed, results_published ou archived.",
                enum=("scheduled", "open", "closed", "results_published", "archived"),
            ),
            _f("statut_libelle", "string", "Statut (libellé)", "Libellé français du statut."),
            _f("ouverture", "datetime", "Ouverture", "Date et heure (UTC) d’ouverture."),
            _f("cloture", "datetime", "Clôture", "Date et heure (UTC) de clôture."),
            _f(
                "recueille_contributions",
                "boolean",
                "Recueille des contributions",
                "Vrai pour un appel à idées ou à témoignages.",
            ),
            _f(
                "restitution_publiee",
                "boolean",
                "Restitution publiée",
                "Vrai quand la restitution (« vous avez dit, nous avons fait ») est publiée.",
            ),
            _f(URL, "string", "Adresse", "Adresse de la consultation."),
        ),
        ("identifiant",),
        consultation_rows,
    ),
    Dataset(
        "resultats-consultations",
        "Résultats publiés des consultations",
        "Pour les consultations dont les résultats sont publiés : le nombre de répondants par "
        "réponse des questions à choix et à échelle. Agrégats seulement ; une consultation de "
        f"moins de {MIN_GROUP_SIZE} répondants n’est pas publiée ; aucune réponse libre.",
        (
            CONSULTATION_KEY,
            _f(
                "question_numero",
                "integer",
                "N° de question",
                "Numéro dans le questionnaire.",
                required=True,
            ),
            _f("question", "string", "Question", "Intitulé de la question."),
            _f(
                "type_question",
                "string",
                "Type de question",
                "single_choice, multiple_choice, ranking (classement : nombre de fois classée "
                "première) ou scale (échelle).",
                enum=("single_choice", "multiple_choice", "ranking", "scale"),
            ),
            _f("reponse_numero", "integer", "N° de réponse", "Ordre de la réponse.", required=True),
            _f("reponse", "string", "Réponse", "Libellé de la réponse ou de la note."),
            _f("nombre", "integer", "Nombre", "Nombre de répondants qui l’ont choisie."),
            _f(
                "part_pourcent",
                "number",
                "Part (%)",
                "Part des répondants à la question, en pourcentage.",
            ),
            _f(
                "repondants_question",
                "integer",
                "Répondants à la question",
                "Nombre de personnes qui ont répondu à la question.",
            ),
            _f(
                "repondants_consultation",
                "integer",
                "Répondants",
                "Nombre de réponses au questionnaire.",
            ),
            _f("calcule_le", "datetime", "Calculé le", "Date et heure (UTC) du calcul."),
        ),
        ("consultation", "question_numero", "reponse_numero"),
        result_rows,
    ),
    Dataset(
        "restitutions",
        "Restitutions des consultations",
        "« Vous avez dit, nous avons fait » : la synthèse publiée de chaque consultation publique.",
        (
            CONSULTATION_KEY,
            _f("synthese", "string", "Synthèse", "Ce que les participants ont dit."),
            _f("publiee_le", "datetime", "Publiée le", "Date et heure (UTC) de publication."),
            _f("nombre_decisions", "integer", "Décisions", "Nombre de décisions annoncées."),
            _f(URL, "string", "Adresse", "Adresse de la restitution."),
        ),
        ("consultation",),
        restitution_rows,
    ),
    Dataset(
        "decisions",
        "Décisions des restitutions et leur suivi",
        "Chaque décision annoncée dans une restitution publiée, et où on en est : avancement, "
        "progression, date du dernier point.",
        (
            _f("id", "integer", "Identifiant", "Identifiant de la décision.", required=True),
            CONSULTATION_KEY,
            _f("ordre", "integer", "Ordre", "Ordre dans la restitution."),
            _f("vous_avez_dit", "string", "Vous avez dit", "Ce que les participants ont dit."),
            _f("nous_avons_fait", "string", "Nous avons fait", "Ce qui a été décidé."),
            _f(
                "avancement",
                "string",
                "Avancement",
                "planned, in_progress, done ou abandoned.",
                enum=("planned", "in_progress", "done", "abandoned"),
            ),
            _f(
                "avancement_libelle",
                "string",
                "Avancement (libellé)",
                "Libellé français de l’avancement.",
            ),
            _f("progression_pourcent", "integer", "Progression (%)", "Progression de 0 à 100."),
            _f(
                "avancement_depuis",
                "datetime",
                "Avancement depuis",
                "Date et heure (UTC) du dernier changement d’avancement.",
            ),
            _f(
                "dernier_point_le",
                "datetime",
                "Dernier point le",
                "Date et heure (UTC) du dernier point d’avancement publié.",
            ),
            _f(
                "projet_code",
                "string",
                "Projet",
                "Code du projet du portefeuille qui la porte, si sa fiche est publique.",
            ),
        ),
        ("id",),
        decision_rows,
    ),
    Dataset(
        "evenements",
        "Événements ouverts au public",
        "Les formations, débats, webinaires et ateliers ouverts aux usagers : dates, lieu, "
        "statut. Sans les inscrits.",
        (
            _f("id", "integer", "Identifiant", "Identifiant de l’événement.", required=True),
            _f(
                "type",
                "string",
                "Type",
                "training, debate, webinar, expedition, demo_day ou workshop.",
                enum=tuple(Event.Kind.values),
            ),
            _f("type_libelle", "string", "Type (libellé)", "Libellé français du type."),
            _f("titre", "string", "Titre", "Titre de l’événement.", required=True),
            _f("presentation", "string", "Présentation", "Présentation de l’événement."),
            _f("lieu", "string", "Lieu", "Lieu de l’événement ; vide s’il est en ligne."),
            _f(
                "en_ligne",
                "boolean",
                "En ligne",
                "Vrai quand l’événement se suit en ligne (le lien est donné aux inscrits).",
            ),
            _f("debut", "datetime", "Début", "Date et heure (UTC) de début.", required=True),
            _f("fin", "datetime", "Fin", "Date et heure (UTC) de fin."),
            _f(
                "statut",
                "string",
                "Statut",
                "published, cancelled ou held.",
                enum=("published", "cancelled", "held"),
            ),
            _f(
                "caf_organisatrice_code",
                "string",
                "Caf organisatrice",
                "Code de la Caf organisatrice ; vide pour un événement national.",
            ),
            _f(
                "programme", "string", "Programme", "Identifiant du programme (jeu « programmes »)."
            ),
            _f("themes", "string", "Thèmes", THEMES),
        ),
        ("id",),
        event_rows,
    ),
)

BY_SLUG: dict[str, Dataset] = {dataset.slug: dataset for dataset in DATASETS}
