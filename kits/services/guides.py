"""The fiche d'essaimage (replication guide): every project at the essaimage stage or later and
every initiative promoted into the portfolio has one. It is written by the holder's team (or the
lab), read by whoever sees the holder before their Caf declares it wants to take it up, and
printed as a PDF with WeasyPrint (as the impact reports are)."""

import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from caflab.accounts.models import User
from caflab.core import errors
from caflab.core.pdf import no_fetch
from criees.models import Initiative
from kits.models import GUIDE_FIELDS, GUIDE_STAGES, Document, ReplicationGuide, holder_kwargs
from projects.models import Project


def has_guide(holder: Project | Initiative) -> bool:
    """Whether `holder` has a fiche d'essaimage: a project at the essaimage stage or later, an
    initiative promoted into the portfolio."""
    if isinstance(holder, Project):
        return holder.stage in GUIDE_STAGES
    return holder.project_id is not None


def belongs_to(document: Document, holder: Project | Initiative) -> bool:
    if isinstance(holder, Project):
        return document.project_id == holder.pk
    return document.initiative_id == holder.pk


def guide_of(holder: Project | Initiative) -> ReplicationGuide:
    """The holder's fiche, saved or (never written yet) a blank one, not saved."""
    guide = ReplicationGuide.objects.filter(**holder_kwargs(holder)).first()
    return guide or ReplicationGuide(**holder_kwargs(holder))


@transaction.atomic
def guide_save(
    *,
    holder: Project | Initiative,
    by: User,
    fields: dict[str, str],
    documents: list[Document] | None = None,
) -> ReplicationGuide:
    """Write the fiche of `holder` (created the first time). Its documents must be the
    holder's own. Two saves at once: the second writes over the first, never a second fiche."""
    if not has_guide(holder):
        raise errors.InvalidState(
            _("La fiche d’essaimage s’ouvre quand le projet atteint l’étape « Essaimage ».")
            if isinstance(holder, Project)
            else _("La fiche d’essaimage s’ouvre quand l’initiative est promue au portefeuille.")
        )
    documents = list(documents or [])
    if any(not belongs_to(d, holder) for d in documents):
        raise errors.InvalidState({"documents": _("Choisissez parmi les documents de la fiche.")})
    where = holder_kwargs(holder)
    try:
        with transaction.atomic():
            guide, _created = ReplicationGuide.objects.select_for_update().get_or_create(**where)
    except IntegrityError:  # created meanwhile by another save
        guide = ReplicationGuide.objects.select_for_update().get(**where)
    for name in GUIDE_FIELDS:
        setattr(guide, name, (fields.get(name) or "").strip())
    guide.updated_by = by
    guide.save()
    guide.documents.set(documents)
    return guide


def guide_context(guide: ReplicationGuide, holder: Project | Initiative) -> dict[str, Any]:
    """What the fiche's page and its PDF read: the holder's identity and the linked documents."""
    documents = (
        list(guide.documents.with_list_data()) if guide.pk else []  # type: ignore[attr-defined]
    )
    if isinstance(holder, Project):
        identity = {
            "title": holder.title,
            "reference": holder.code,
            "kind": _("Projet du portefeuille"),
            "stage": holder.get_stage_display(),
            "caf": holder.pilot_caf.name if holder.pilot_caf_id else "",
            "url": holder.get_absolute_url(),
        }
    else:
        identity = {
            "title": holder.title,
            "reference": _("Initiative n° %(pk)s") % {"pk": holder.pk},
            "kind": _("Initiative locale promue au portefeuille"),
            "stage": "",
            "caf": holder.caf.name,
            "url": holder.get_absolute_url(),
        }
    sections = [
        (guide._meta.get_field(name).verbose_name, getattr(guide, name))
        for name in GUIDE_FIELDS
        if name != "summary"
    ]
    return {
        "guide": guide,
        "holder": holder,
        "identity": identity,
        "sections": sections,
        "documents": documents,
    }


def guide_pdf(guide: ReplicationGuide, holder: Project | Initiative) -> bytes:
    """The fiche as a PDF: its first page says what it is about (identity, reference, Caf) and
    when it was printed; the sections follow, then the list of its documents."""
    import weasyprint  # heavy: imported only when a fiche is printed

    printed_on: datetime.date = timezone.localdate()
    html = render_to_string(
        "kits/guide_pdf.html", {**guide_context(guide, holder), "printed_on": printed_on}
    )
    return weasyprint.HTML(string=html, base_url=None, url_fetcher=no_fetch()).write_pdf()
