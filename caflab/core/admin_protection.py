"""The admin never destroys evidence (issue 20).

Responses, answers, contributions, restitutions, histories, decided gate reviews, reports and
measurements are PROTECTed from cascades in the models; these mixins make the admin say so:

- `KeepsEvidenceAdmin` (parents and evidence): a deletion that would take evidence with it is
  refused on the confirmation page, with a French message naming what is kept, instead of
  Django's bare list of "protected objects"; `is_kept(obj)` marks a row that is itself evidence
  (a decided review, a published restitution…): it cannot be deleted, by its own page or by
  the "delete selected" action.
- `HistoryAdmin`: a history row is shown, never added, changed or deleted.

Mix them in before `admin.ModelAdmin`; `kept_always = True` when every row is evidence.
"""

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.db.models import Model
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

KEPT = gettext_lazy(
    "Rien n’a été supprimé : réponses, contributions, restitutions, historiques, revues "
    "décidées, rapports et mesures sont conservés."
)


def _kind(obj: Model) -> str:
    return str(capfirst(obj._meta.verbose_name))


class KeepsEvidenceAdmin:
    """See the module's docstring. `kept_advice`: what to do instead (archive, hide…)."""

    kept_advice: Any = ""
    kept_always = False  # every row is evidence: no deletion offered at all

    def is_kept(self, obj: Model) -> bool:
        """True when `obj` is itself evidence and may never be deleted."""
        return self.kept_always

    def kept_message(self, kinds: list[str]) -> str:
        text = f"{KEPT} {_('Éléments conservés : %(kinds)s.') % {'kinds': ', '.join(kinds)}}"
        if self.kept_advice:
            text += f" {self.kept_advice}"
        return text

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if self.kept_always or (obj is not None and self.is_kept(obj)):
            return False
        return super().has_delete_permission(request, obj)  # type: ignore[misc]

    def delete_view(
        self, request: HttpRequest, object_id: str, extra_context: dict | None = None
    ) -> HttpResponse:
        """A kept row's delete page sends back to the row with the reason, not to a 403."""
        obj = self.get_object(request, unquote(object_id))  # type: ignore[attr-defined]
        if obj is not None and self.is_kept(obj):
            self.message_user(request, self.kept_message([_kind(obj)]), messages.ERROR)  # type: ignore[attr-defined]
            opts = self.model._meta  # type: ignore[attr-defined]
            return HttpResponseRedirect(
                reverse(
                    f"admin:{opts.app_label}_{opts.model_name}_change",
                    args=[obj.pk],
                    current_app=self.admin_site.name,  # type: ignore[attr-defined]
                )
            )
        return super().delete_view(request, object_id, extra_context)  # type: ignore[misc]

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> tuple:
        """Kept rows join Django's "protected" list (the page then deletes nothing) and the
        page says why, once, above it."""
        to_delete, model_count, perms_needed, protected = super().get_deleted_objects(  # type: ignore[misc]
            objs, request
        )
        protected = list(protected) + [f"{_kind(obj)}: {obj}" for obj in objs if self.is_kept(obj)]
        if protected:
            kinds = sorted({str(line).split(": ", 1)[0] for line in protected})
            self.message_user(request, self.kept_message(kinds), messages.ERROR)  # type: ignore[attr-defined]
        return to_delete, model_count, perms_needed, protected


class HistoryAdmin(KeepsEvidenceAdmin):
    """A history row (or an audit event): read-only and undeletable."""

    kept_always = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class HistoryInline(admin.TabularInline):
    """A history shown under its object: every column read-only, nothing added or deleted
    (the rows are written by the moves they record). Set `model` and `fields`."""

    extra = 0
    can_delete = False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.fields or ()

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
