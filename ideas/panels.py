"""What the idea box shows on other apps' pages, registered with the core's page panels
(`caflab.core.panels`) in the app's AppConfig.ready()."""

from typing import Any

from django.db.models import Count
from django.http import HttpRequest
from django.urls import reverse

from ideas.models import Idea, IdeaQuerySet
from ideas.services.lineage import follow_state, idea_of, projects_of
from projects.origins import kind_for


def origin(request: HttpRequest, source: Any) -> dict[str, Any] | None:
    """A source's page ("origin": a contribution, an initiative…): what it became (the idea,
    then the project, and the projects it was attached to, linked for those who may open
    them), and for those who may, the button that turns it into an idea and the form that
    attaches it to an existing project; for its other participants (supporters, those who
    came) once it became something, whether they hear of what follows, and the button to stop
    or resume. Two queries, three with the participants' button; nothing for others when it
    became nothing."""
    kind = kind_for(source)
    if kind is None:
        return None
    idea = idea_of(source)
    user = request.user
    attached = [(p, _project_url(user, p)) for p in projects_of(source)]
    may_convert = kind.may_convert(user, source)
    if idea is None:
        if not (may_convert or attached):
            return None
        return {
            "source": source,
            "model": source._meta.label_lower,
            "follow_state": follow_state(kind, source, user) if attached else None,
            "idea": None,
            "attached": attached,
            "may_convert": may_convert,
        }
    project = idea.project
    return {
        "source": source,
        "model": source._meta.label_lower,
        "follow_state": follow_state(kind, source, user),
        "idea": idea,
        "idea_url": idea.get_absolute_url() if user.has_perm("ideas.view_ideas") else "",
        "project": project,
        "project_url": _project_url(user, project) if project is not None else "",
        "attached": [(p, url) for p, url in attached if project is None or p.pk != project.pk],
        "may_convert": may_convert,
    }


def _project_url(user: Any, project: Any) -> str:
    """A project's page for the network, its public sheet for others when it has one."""
    if project.is_draft:
        return ""
    if user.is_authenticated and user.is_network_member:
        return project.get_absolute_url()
    if project.is_public:
        return reverse("projects:public-sheet", args=[project.code])
    return ""


def portfolio_dashboard(request: HttpRequest, projects: Any) -> dict[str, Any] | None:
    """The director's dashboard ("portfolio_dashboard"): ideas by origin and how many became
    projects, among the ideas the reader sees. One query."""
    return {"idea_sources": ideas_by_source(Idea.objects.visible_to(request.user))}


def ideas_by_source(ideas: IdeaQuerySet) -> dict[str, Any]:
    """Ideas per source and their conversion into portfolio projects, in one query: an idea
    converted is one a project came from (accepted as a project)."""
    counts = dict.fromkeys(
        [f"n_{s}" for s in Idea.Source.values] + [f"p_{s}" for s in Idea.Source.values], 0
    )
    for source, n, converted in (
        ideas.order_by().values_list("source").annotate(n=Count("pk"), p=Count("project"))
    ):
        counts[f"n_{source}"], counts[f"p_{source}"] = n, converted
    rows = []
    for source in Idea.Source:
        n, converted = counts[f"n_{source.value}"], counts[f"p_{source.value}"]
        rows.append(
            {
                "label": source.label,
                "ideas": n,
                "projects": converted,
                "rate": round(100 * converted / n, 1) if n else None,
            }
        )
    total = sum(row["ideas"] for row in rows)
    converted = sum(row["projects"] for row in rows)
    return {
        "rows": rows,
        "total": total,
        "projects": converted,
        "rate": round(100 * converted / total, 1) if total else None,
    }
