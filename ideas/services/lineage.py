"""Lineage: a source (a citizen's contribution, a criée initiative… any kind registered in
`projects.origins`) turned into an idea of the box, which keeps the link; the project the idea
becomes lists the source among its origins, and the source's people are told what became of
it at each step."""

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _

from caflab.accounts.models import User
from caflab.core.errors import AlreadyDone, NotAllowedNow
from caflab.notifications.services import follow, notify
from ideas.models import Idea, IdeaStatusChange
from projects.models import OriginOptOut, Project, ProjectOrigin, Stage
from projects.origins import OriginKind, audience, kind_for, kind_named
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
        reason=_("Idée créée à partir de « %(source)s ».") % {"source": text.title[:150]},
    )
    follow(user=by, obj=idea)
    _tell(
        kind,
        source,
        kind="origin.idea",
        title=_("« %(title)s » devient une idée de la boîte à idées") % {"title": text.title[:150]},
        body=_("Le laboratoire d’innovation l’examinera ; vous serez tenu informé de la suite."),
        url=source.get_absolute_url(),
        actor=by,
        key=f"origin.idea:{content_type.pk}:{source.pk}",
    )
    _tell_by_email(
        kind,
        source,
        key=f"idea:{idea.pk}",
        subject=_("Une réponse est devenue une idée"),
        text=_(
            "Une réponse écrite à ce questionnaire est devenue une idée de la boîte à idées du "
            "CafLab : le laboratoire d’innovation l’examinera. Nous vous dirons la suite."
        ),
    )
    return idea


def _tell(origin_kind: OriginKind, source: Any, **message: Any) -> None:
    """Tell the source's people what became of it: its authors always (their own contribution,
    e-mailed at once), the other participants (supporters, those who came…) in their
    notification preference, unless they stopped following it (`origin_unfollow`)."""
    people = audience(origin_kind, source)
    notify(recipients=people.authors, own_contribution=True, **message)
    key = message.pop("key", "")
    notify(recipients=people.others, key=f"{key}:others" if key else "", **message)


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
        title = _("« %(title)s » est devenue le projet « %(project)s »") % {
            "title": source_title,
            "project": idea.project.title[:150],
        }
    else:
        title = _("L’idée née de « %(title)s » : %(status)s") % {
            "title": source_title,
            "status": idea.get_status_display(),
        }
    _tell(
        kind,
        source,
        kind="origin.idea_status",
        title=title,
        body=body,
        url=source.get_absolute_url(),
        actor=by,
    )
    if idea.project_id:
        news = _(
            "L’idée née d’une réponse écrite à ce questionnaire est devenue le projet "
            "« %(project)s »."
        ) % {"project": idea.project.title[:150]}
    else:
        news = _("L’idée née d’une réponse écrite à ce questionnaire : %(status)s.") % {
            "status": idea.get_status_display().lower()
        }
    _tell_by_email(
        kind,
        source,
        key=f"idea:{idea.pk}:{idea.status}",
        subject=_("Ce qu’est devenue une réponse"),
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
    _tell(
        kind,
        source,
        kind="origin.project",
        title=_("« %(title)s » rejoint le projet « %(project)s »")
        % {"title": title[:150], "project": project.title[:150]},
        body=_("Le projet en est à l’étape « %(stage)s » ; vous serez tenu informé de la suite.")
        % {"stage": project.get_stage_display()},
        url=source.get_absolute_url(),
        actor=by,
        key=f"origin.project:{content_type.pk}:{source.pk}:{project.pk}",
    )
    _tell_by_email(
        kind,
        source,
        key=f"project:{project.pk}",
        subject=_("Une réponse rejoint un projet"),
        text=_(
            "Une réponse écrite à ce questionnaire rejoint le projet « %(project)s » du CafLab, "
            "à l’étape « %(stage)s »."
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
    told_here = []
    for content_type_id in (
        ProjectOrigin.objects.filter(project=project)
        .order_by()
        .values_list("content_type", flat=True)
        .distinct()
    ):
        content_type = ContentType.objects.get_for_id(content_type_id)  # cached: no query
        kind = kind_named(f"{content_type.app_label}.{content_type.model}")
        if kind is not None and not kind.tells_stage_changes:
            told_here.append(content_type_id)
    # The sources, one query per kind of source (the generic relation's prefetch).
    origins = (
        ProjectOrigin.objects.filter(project=project, content_type__in=told_here)
        .order_by("pk")
        .prefetch_related("source")
    )
    for origin in origins if told_here else []:
        content_type = ContentType.objects.get_for_id(origin.content_type_id)
        kind = kind_named(f"{content_type.app_label}.{content_type.model}")
        source = origin.source
        if source is None:
            continue
        _tell(
            kind,
            source,
            kind="origin.project_stage",
            title=_("« %(title)s » : le projet « %(project)s » passe à l’étape « %(stage)s »")
            % {
                "title": kind.describe(source).title[:150],
                "project": project.title[:150],
                "stage": stage,
            },
            url=source.get_absolute_url(),
            actor=by,
        )


def origin_unfollow(*, source: Any, user: User) -> OriginOptOut:
    """`user`, who took part in `source` without being its author, hears no more of what it
    becomes. Twice is "already done"."""
    content_type = ContentType.objects.get_for_model(source)
    opt_out, created = OriginOptOut.objects.get_or_create(
        content_type=content_type, object_id=source.pk, user=user
    )
    if not created:
        raise AlreadyDone(_("Vous ne suivez déjà plus ce que devient ce contenu."))
    return opt_out


def origin_refollow(*, source: Any, user: User) -> None:
    """`user` hears again of what `source` becomes. Twice is "already done"."""
    deleted, _rows = OriginOptOut.objects.filter(
        content_type=ContentType.objects.get_for_model(source), object_id=source.pk, user=user
    ).delete()
    if not deleted:
        raise AlreadyDone(_("Vous suivez déjà ce que devient ce contenu."))


def follow_state(kind: OriginKind, source: Any, user: Any) -> str | None:
    """Whether `user` hears of what `source` becomes as one of its other participants:
    "following", "stopped", or None when they are not one (an author, who is always told, or
    someone who took no part). One query; none for anonymous visitors or kinds without
    authors."""
    if not user.is_authenticated or kind.authors is None:
        return None
    row = (
        kind.participants(source)
        .filter(pk=user.pk)
        .annotate(
            is_author=Exists(kind.authors(source).filter(pk=OuterRef("pk"))),
            stopped=Exists(
                OriginOptOut.objects.filter(
                    content_type=ContentType.objects.get_for_model(source),
                    object_id=source.pk,
                    user=OuterRef("pk"),
                )
            ),
        )
        .values_list("is_author", "stopped")
        .first()
    )
    if row is None or row[0]:
        return None
    return "stopped" if row[1] else "following"
