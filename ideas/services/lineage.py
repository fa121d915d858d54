"""Lineage: a source (a citizen's contribution, a criée initiative… any kind registered in
`projects.origins`) turned into an idea of the box, which keeps the link; the project the idea
becomes lists the source among its origins, and the source's people are told what became of
it at each step."""

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from caflab.accounts.models import User
from caflab.core.errors import AlreadyDone, NotAllowedNow
from caflab.notifications.services import follow, notify
from ideas.models import Idea, IdeaStatusChange
from projects.models import Project, ProjectOrigin, Stage
from projects.origins import kind_for, kind_named
from projects.services.projects import project_origin_add


def idea_of(source) -> Idea | None:
    """The idea `source` was turned into, if any (one query)."""
    return (
        Idea.objects.filter(
            origin_type=ContentType.objects.get_for_model(source), origin_id=source.pk
        )
        .select_related("project")
        .first()
    )


@transaction.atomic
def idea_from_origin(*, source, by: User) -> Idea:
    """Turn `source` into an idea of the box, submitted by `by` (who checked they may: the
    kind's `may_convert`), with the source's text, Caf and link. Its people (the kind's
    `participants`) are told, with a link to the source, which now shows what it became. A
    source already turned into an idea (twice at once included) is "already done"."""
    kind = kind_for(source)
    if kind is None:
        raise NotAllowedNow(_("Ce contenu ne peut pas devenir une idée."))
    content_type = ContentType.objects.get_for_model(source)
    done = _("Ce contenu est déjà devenu une idée.")
    if Idea.objects.filter(origin_type=content_type, origin_id=source.pk).exists():
        raise AlreadyDone(done)
    text = kind.describe(source)
    try:
        with transaction.atomic():
            idea = Idea.objects.create(
                author=by,
                title=text.title[:200],
                problem=text.text,
                caf_id=text.caf_id,
                source=kind.idea_source,
                origin_type=content_type,
                origin_id=source.pk,
            )
    except IntegrityError:  # the same source, turned into an idea at the same moment
        raise AlreadyDone(done) from None
    IdeaStatusChange.record(
        idea,
        from_state="",
        to_state=idea.status,
        by=by,
        reason=_("Idée créée à partir de « %(source)s ».") % {"source": text.title[:150]},
    )
    follow(user=by, obj=idea)
    notify(
        recipients=kind.participants(source),
        kind="origin.idea",
        title=_("« %(title)s » devient une idée de la boîte à idées") % {"title": text.title[:150]},
        body=_("Le laboratoire d'innovation l'examinera ; vous serez tenu informé de la suite."),
        url=source.get_absolute_url(),
        actor=by,
        own_contribution=True,
        key=f"origin.idea:{content_type.pk}:{source.pk}",
    )
    _tell_by_email(
        kind,
        source,
        key=f"idea:{idea.pk}",
        subject=_("Une réponse est devenue une idée"),
        text=_(
            "Une réponse écrite à ce questionnaire est devenue une idée de la boîte à idées du "
            "CafLab : le laboratoire d'innovation l'examinera. Nous vous dirons la suite."
        ),
    )
    return idea


def _tell_by_email(kind: Any, source: Any, *, key: str, subject: str, text: str) -> None:
    """The source's people without an account (a questionnaire's hear-back addresses), when
    its kind has them: never the source's text, nor who wrote it."""
    if kind.tell_by_email is not None:
        kind.tell_by_email(source, key, subject, text)


def origin_tell(idea: Idea, *, by: User, body: str) -> None:
    """Tell the people of what `idea` was born of (a contribution's author and supporters…)
    where it stands now, with a link to the source's page, which shows it. No origin, no
    message."""
    source = idea.origin if idea.origin_type_id else None
    kind = kind_for(source)
    if kind is None:
        return
    source_title = kind.describe(source).title[:150]
    if idea.project_id:
        title = _("« %(title)s » est devenue le projet « %(project)s »") % {
            "title": source_title,
            "project": idea.project.title[:150],
        }
    else:
        title = _("L'idée née de « %(title)s » : %(status)s") % {
            "title": source_title,
            "status": idea.get_status_display(),
        }
    notify(
        recipients=kind.participants(source),
        kind="origin.idea_status",
        title=title,
        body=body,
        url=source.get_absolute_url(),
        actor=by,
        own_contribution=True,
    )
    if idea.project_id:
        news = _(
            "L'idée née d'une réponse écrite à ce questionnaire est devenue le projet "
            "« %(project)s »."
        ) % {"project": idea.project.title[:150]}
    else:
        news = _("L'idée née d'une réponse écrite à ce questionnaire : %(status)s.") % {
            "status": idea.get_status_display().lower()
        }
    _tell_by_email(
        kind,
        source,
        key=f"idea:{idea.pk}:{idea.status}",
        subject=_("Ce qu'est devenue une réponse"),
        text=f"{news}\n\n{body}" if body else news,
    )


def projects_of(source) -> list[Project]:
    """The projects `source` was attached to directly (not through an idea), oldest link
    first (one query)."""
    links = ProjectOrigin.objects.filter(
        content_type=ContentType.objects.get_for_model(source), object_id=source.pk
    )
    return list(
        Project.objects.filter(pk__in=links.values("project"))
        .only("code", "title", "stage", "is_draft", "is_public")
        .order_by("code")
    )


@transaction.atomic
def origin_attach(*, source, project: Project, by: User) -> ProjectOrigin:
    """Attach `source` to an existing project (the caller checked `by` may convert it and sees
    the project): the project lists it among its origins, the source shows the project, and
    its people are told, then hear of each stage the project moves to where their app tells
    them (contributions, answers). Attached twice is "already done"."""
    kind = kind_for(source)
    if kind is None:
        raise NotAllowedNow(_("Ce contenu ne peut pas être rattaché à un projet."))
    content_type = ContentType.objects.get_for_model(source)
    if ProjectOrigin.objects.filter(
        project=project, content_type=content_type, object_id=source.pk
    ).exists():
        raise AlreadyDone(_("Ce contenu est déjà rattaché à ce projet."))
    title = kind.describe(source).title
    origin = project_origin_add(project=project, source=source, label=title)
    notify(
        recipients=kind.participants(source),
        kind="origin.project",
        title=_("« %(title)s » rejoint le projet « %(project)s »")
        % {"title": title[:150], "project": project.title[:150]},
        body=_("Le projet en est à l'étape « %(stage)s » ; vous serez tenu informé de la suite.")
        % {"stage": project.get_stage_display()},
        url=source.get_absolute_url(),
        actor=by,
        own_contribution=True,
        key=f"origin.project:{content_type.pk}:{source.pk}:{project.pk}",
    )
    _tell_by_email(
        kind,
        source,
        key=f"project:{project.pk}",
        subject=_("Une réponse rejoint un projet"),
        text=_(
            "Une réponse écrite à ce questionnaire rejoint le projet « %(project)s » du CafLab, "
            "à l'étape « %(stage)s »."
        )
        % {"project": project.title[:150], "stage": project.get_stage_display()},
    )
    return origin


def on_project_stage_changed(
    sender: Any, *, project: Project, from_stage: str, to_stage: str, by: Any, **kwargs: Any
) -> None:
    """Receiver of `projects.signals.stage_changed`: the people of each source among the
    project's origins (an initiative's team and supporters, those who came to the event a
    proposal came out of…) hear that it moved on, unless the source's own app tells them
    (`OriginKind.tells_stage_changes`). One message per source."""
    stage = Stage(to_stage).label
    for origin in ProjectOrigin.objects.filter(project=project).order_by("pk"):
        content_type = ContentType.objects.get_for_id(origin.content_type_id)
        kind = kind_named(f"{content_type.app_label}.{content_type.model}")
        if kind is None or kind.tells_stage_changes:
            continue
        source = origin.source
        if source is None:
            continue
        notify(
            recipients=kind.participants(source),
            kind="origin.project_stage",
            title=_("« %(title)s » : le projet « %(project)s » passe à l'étape « %(stage)s »")
            % {
                "title": kind.describe(source).title[:150],
                "project": project.title[:150],
                "stage": stage,
            },
            url=source.get_absolute_url(),
            actor=by,
            own_contribution=True,
        )
