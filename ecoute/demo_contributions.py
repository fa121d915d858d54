"""Demo contributions: an open call for ideas of the Isère Caf, moderated before publication,
with contributions in every official-answer status (one taken into a portfolio project), some
reported, some waiting for moderation, threaded comments and supports.

Rows are created directly (no notifications); skipped when the call's slug exists.
"""

import datetime
from typing import TextIO

from django.utils import timezone

from caflab.accounts.models import User
from caflab.network.models import Caf, Theme
from ecoute.models import (
    AnswerStatus,
    Consultation,
    Contribution,
    ContributionComment,
    ContributionReport,
    ContributionSupport,
    OfficialAnswer,
    Questionnaire,
    Section,
)
from projects.models import Project

SLUG = "idees-accueil-des-familles"
Status = Contribution.Status

# (title, text, author e-mail, status, answer status, answer text, reason)
CONTRIBUTIONS = [
    (
        "Des rendez-vous en visio le soir",
        "Je travaille en horaires décalés : un rendez-vous en visio après 18 h m'éviterait de "
        "poser une demi-journée pour faire le point sur mon dossier.",
        "citoyen@caflab.demo",
        Status.PUBLISHED,
        AnswerStatus.IN_PROJECT,
        "Votre idée rejoint le projet d'accueil sans rendez-vous repensé, qui teste des "
        "créneaux en soirée dans deux Caf pilotes.",
        "",
    ),
    (
        "Un espace enfants dans la salle d'attente",
        "Venir avec deux jeunes enfants rend l'attente difficile : un coin jeux et un "
        "change-bébé changeraient tout.",
        "agent.isere@caflab.demo",
        Status.PUBLISHED,
        AnswerStatus.ADOPTED,
        "Un coin enfants sera installé dans les accueils de Grenoble et de Vienne d'ici l'été.",
        "",
    ),
    (
        "Être rappelé plutôt qu'attendre au téléphone",
        "Proposer de laisser son numéro et d'être rappelé dans la journée, au lieu de patienter "
        "vingt minutes en ligne.",
        "agent.rhone@caflab.demo",
        Status.PUBLISHED,
        AnswerStatus.UNDER_STUDY,
        "La plateforme téléphonique étudie le rappel automatique ; réponse à la rentrée.",
        "",
    ),
    (
        "Ouvrir l'accueil le samedi matin",
        "Un samedi matin par mois permettrait aux parents qui travaillent de venir sans poser "
        "de congé.",
        "citoyen@caflab.demo",
        Status.PUBLISHED,
        AnswerStatus.NOT_ADOPTED,
        "Nous ne retenons pas cette idée pour l'instant.",
        "Les accords sur le temps de travail ne permettent pas d'ouvrir le samedi ; les "
        "rendez-vous en soirée répondent au même besoin.",
    ),
    (
        "Des documents en langage simple",
        "Les courriers sont difficiles à comprendre : une version en français facile à lire et "
        "à comprendre aiderait beaucoup de familles.",
        "partenaire@caflab.demo",
        Status.PUBLISHED,
        AnswerStatus.RECEIVED,
        "",
        "",
    ),
    (
        "Un simulateur pour la prime d'activité",
        "Savoir avant de déclarer si l'on a droit à la prime d'activité, en deux minutes.",
        "agent.isere@caflab.demo",
        Status.PENDING,
        AnswerStatus.RECEIVED,
        "",
        "",
    ),
    (
        "Les mêmes horaires pour toutes les Caf",
        "Des horaires identiques partout, affichés clairement sur caf.fr.",
        "correspondant.rhone@caflab.demo",
        Status.PENDING,
        AnswerStatus.RECEIVED,
        "",
        "",
    ),
    (
        "Message publicitaire",
        "Visitez mon site pour gagner de l'argent rapidement.",
        "partenaire@caflab.demo",
        Status.REPORTED,
        AnswerStatus.RECEIVED,
        "",
        "",
    ),
]


def _call(lab: User, now: datetime.datetime) -> Consultation:
    consultation = Consultation.objects.create(
        title="Vos idées pour mieux accueillir les familles",
        slug=SLUG,
        summary="Proposez vos idées pour améliorer l'accueil à la Caf, soutenez celles des "
        "autres : chacune reçoit une réponse officielle.",
        body="Accueil physique, téléphone, rendez-vous, courriers : qu'est-ce qui vous "
        "simplifierait la vie ? Les idées sont publiées après relecture par la modération.",
        audience=Consultation.Audience.BOTH,
        caf=Caf.objects.get(code="38"),
        status=Consultation.Status.OPEN,
        opens_at=now - datetime.timedelta(days=10),
        closes_at=now + datetime.timedelta(days=50),
        status_changed_at=now - datetime.timedelta(days=10),
        owner=lab,
        collects_contributions=True,
        contribution_kind=Consultation.ContributionKind.IDEAS,
        moderation_mode=Consultation.ModerationMode.BEFORE,
        privacy_purpose="Recueillir et publier les idées des usagers et des agents pour "
        "améliorer l'accueil des Caf.",
        privacy_contact="dpo@caf.example",
    )
    questionnaire = Questionnaire.objects.create(
        consultation=consultation, title=consultation.title
    )
    Section.objects.create(questionnaire=questionnaire, title="Vos réponses", position=1)
    return consultation


def seed(stdout: TextIO) -> None:
    if Consultation.objects.filter(slug=SLUG).exists():
        return
    now = timezone.now()
    lab = User.objects.get(email="labo@caflab.demo")
    moderator = User.objects.filter(email="moderation@caflab.demo").first() or lab
    people = {u.email: u for u in User.objects.filter(email__endswith="@caflab.demo")}
    themes = list(Theme.objects.active()[:4])
    project = (
        Project.objects.filter(title="Accueil sans rendez-vous repensé").first()
        or Project.objects.filter(is_draft=False).order_by("code").first()
    )
    call = _call(lab, now)
    if project:
        call.projects.add(project)
    supporters = [people[e] for e in sorted(people) if not e.startswith("admin")]
    for i, (title, text, email, status, answer, answer_text, reason) in enumerate(CONTRIBUTIONS):
        published = status != Status.PENDING
        in_project = answer in (AnswerStatus.IN_PROJECT,) and project is not None
        contribution = Contribution.objects.create(
            consultation=call,
            author=people.get(email),
            title=title,
            text=text,
            theme=themes[i % len(themes)] if themes else None,
            caf=call.caf if i % 2 == 0 else None,
            status=status,
            published_at=now - datetime.timedelta(days=9 - i) if published else None,
            moderated_by=moderator if published else None,
            moderated_at=now - datetime.timedelta(days=9 - i) if published else None,
            answer_status=answer
            if (answer != AnswerStatus.IN_PROJECT or in_project)
            else (AnswerStatus.UNDER_STUDY),
            project=project if in_project else None,
        )
        if answer_text:
            if answer in (AnswerStatus.IN_PROJECT, AnswerStatus.ADOPTED):
                OfficialAnswer.objects.create(
                    contribution=contribution,
                    status=AnswerStatus.UNDER_STUDY,
                    text="Merci : votre idée est à l'étude par l'équipe de l'accueil.",
                    answered_by=lab,
                    created_at=now - datetime.timedelta(days=6),
                )
            OfficialAnswer.objects.create(
                contribution=contribution,
                status=contribution.answer_status,
                text=answer_text,
                reason=reason,
                project=contribution.project,
                answered_by=lab,
                created_at=now - datetime.timedelta(days=3),
            )
        if status == Status.PUBLISHED:
            for supporter in supporters[: max(0, 7 - i)]:
                if supporter.pk != contribution.author_id:
                    ContributionSupport.objects.create(contribution=contribution, user=supporter)
        if status == Status.REPORTED:
            for reporter in supporters[:3]:
                ContributionReport.objects.create(
                    contribution=contribution, reporter=reporter, reason="Publicité"
                )
    first = Contribution.objects.get(consultation=call, title=CONTRIBUTIONS[0][0])
    ContributionReport.objects.create(
        contribution=Contribution.objects.get(consultation=call, title=CONTRIBUTIONS[3][0]),
        reporter=people["agent.rhone@caflab.demo"],
        reason="Hors sujet ?",
    )
    root = ContributionComment.objects.create(
        contribution=first,
        author=people.get("agent.isere@caflab.demo"),
        text="À l'accueil de Grenoble, beaucoup de familles nous demandent la même chose.",
    )
    ContributionComment.objects.create(
        contribution=first,
        parent=root,
        author=people.get("citoyen@caflab.demo"),
        text="Merci ! Même 18 h – 19 h une fois par semaine, ce serait déjà bien.",
    )
    ContributionComment.objects.create(
        contribution=first,
        author=people.get("agent.rhone@caflab.demo"),
        text="À Lyon, nous testons des rendez-vous téléphoniques à 18 h 30.",
        status=ContributionComment.Status.PENDING,
    )
    stdout.write(f"  écoute : un appel à idées avec {len(CONTRIBUTIONS)} contributions")
