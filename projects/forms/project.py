"""Forms of one project's pages: the project itself, its team, and the small add forms of the
detail page (status report, blocker or lever, prototype, experiment, event).

The add forms carry a fixed `prefix`, so that the five of them can sit on the detail page
together without clashing ids, and their POST views read the same prefixed names.
"""

from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout, Submit
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from caflab.accounts.models import NETWORK_ROLES, Role, User
from caflab.accounts.people import PersonField
from caflab.core.richtext import RichTextFormMixin
from caflab.network.models import Caf, CogAmbition, Directorate, Partner, Programme, Theme
from projects.models import (
    BlockerLever,
    Experiment,
    Project,
    ProjectEvent,
    Prototype,
    StatusReport,
    TeamMember,
)


def _helper(submit_label: str, *, prefix: str = "") -> FormHelper:
    """Layout only. `prefix` keeps the button's id unique when forms share a page."""
    helper = FormHelper()
    css_id = f"envoyer-{prefix}" if prefix else None
    helper.add_input(Submit("submit", submit_label, css_id=css_id))
    return helper


class ProjectItemForm(forms.ModelForm):
    """An add form of the detail page. The template writes the <form> tag, posting to
    `form.action` (crispy would copy a helper's action onto radio groups too)."""

    submit_label: Any = _("Ajouter")

    def __init__(self, *args: Any, action: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.action = action
        for field in self.fields.values():
            if isinstance(field.widget, forms.RadioSelect):  # a radio group has no "empty" choice
                field.choices = [c for c in field.choices if c[0] != ""]
        self.helper = _helper(self.submit_label, prefix=self.prefix)
        self.helper.form_tag = False


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        # The browser's date picker reads and writes ISO dates, whatever the locale.
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def _active_or_chosen(queryset, chosen_ids: list[int]):
    """The active reference rows, plus those already chosen (a row retired since still shows)."""
    return queryset.filter(Q(is_active=True) | Q(pk__in=chosen_ids))


# --- the project ---------------------------------------------------------------------------

PROJECT_FIELDSETS: tuple[tuple[Any, tuple[str, ...]], ...] = (
    (_("Le projet"), ("title", "problem", "solution", "target_publics")),
    (_("Classement"), ("themes", "programmes", "cog_ambitions", "track")),
    (_("Pilotage"), ("lead", "sponsor", "partners", "pilot_caf")),
    (_("Budget et calendrier"), ("budget_planned", "budget_spent", "started_on", "target_end_on")),
    (_("Publication"), ("is_draft", "is_public")),
)


class ProjectForm(RichTextFormMixin, forms.ModelForm):
    """Create or edit a project. The stage is not here: it moves only through gate reviews.

    Given `user` (who fills it in): the lead is chosen among active network members (the lab
    only, once the project exists); a correspondent's pilot Caf is their own Caf.
    """

    richtext_fields = ("problem", "solution")

    class Meta:
        model = Project
        fields = [
            "title",
            "problem",
            "solution",
            "target_publics",
            "themes",
            "programmes",
            "cog_ambitions",
            "track",
            "lead",
            "sponsor",
            "partners",
            "pilot_caf",
            "budget_planned",
            "budget_spent",
            "started_on",
            "target_end_on",
            "is_draft",
            "is_public",
        ]
        widgets = {
            "problem": forms.Textarea(attrs={"rows": 4}),
            "solution": forms.Textarea(attrs={"rows": 4}),
            "themes": forms.CheckboxSelectMultiple,
            "programmes": forms.CheckboxSelectMultiple,
            "track": forms.RadioSelect,
            "started_on": DateInput,
            "target_end_on": DateInput,
        }

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        creating = self.instance.pk is None
        chosen = self._chosen_ids if not creating else lambda name: []
        self.fields["themes"].queryset = _active_or_chosen(Theme.objects, chosen("themes"))
        self.fields["programmes"].queryset = _active_or_chosen(
            Programme.objects, chosen("programmes")
        )
        self.fields["cog_ambitions"].queryset = _active_or_chosen(
            CogAmbition.objects.select_related("axis"), chosen("cog_ambitions")
        )
        self.fields["partners"].queryset = _active_or_chosen(Partner.objects, chosen("partners"))
        self.fields["sponsor"].queryset = _active_or_chosen(
            Directorate.objects, [self.instance.sponsor_id] if self.instance.sponsor_id else []
        )
        for name in ("budget_planned", "budget_spent"):
            self.fields[name].validators.append(_not_negative)
            self.fields[name].widget.attrs["min"] = 0
        if creating or user.is_lab_staff:
            self.fields["lead"] = PersonField(
                queryset=User.objects.active().filter(role__in=NETWORK_ROLES),
                label=Project._meta.get_field("lead").verbose_name.capitalize(),
                help_text=_(
                    "L’adresse e-mail d’un membre du réseau, qui rejoint l’équipe "
                    "(tapez un nom : des suggestions s’affichent)."
                ),
            )
            if creating:
                self.fields["lead"].initial = user
        else:
            del self.fields["lead"]  # only the lab hands a project over to another lead
        self._limit_pilot_caf(user)
        self.helper = _helper(_("Créer le projet") if creating else _("Enregistrer"))
        self.helper.add_input(self.preview_button())
        self.helper.layout = Layout(
            *(
                Fieldset(legend, *[name for name in names if name in self.fields])
                for legend, names in PROJECT_FIELDSETS
            )
        )

    def _chosen_ids(self, name: str) -> list[int]:
        return list(getattr(self.instance, name).values_list("pk", flat=True))

    def _limit_pilot_caf(self, user: User) -> None:
        field = self.fields["pilot_caf"]
        if user.is_lab_staff:
            return
        # Outside the lab, one pilots a project for one's own Caf (a correspondent's rights on
        # a project come from it); the Caf already recorded stays selectable.
        ids = [pk for pk in (user.caf_id, self.instance.pilot_caf_id) if pk]
        field.queryset = Caf.objects.filter(pk__in=ids)
        if user.is_correspondent:
            field.required = True
            if self.instance.pk is None:
                field.initial = user.caf_id

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("is_draft") and data.get("is_public"):
            self.add_error("is_public", _("Un brouillon ne peut pas avoir de fiche publique."))
        started, target = data.get("started_on"), data.get("target_end_on")
        if started and target and target < started:
            self.add_error("target_end_on", _("L’échéance visée doit suivre la date de lancement."))
        return data


def _not_negative(value) -> None:
    if value is not None and value < 0:
        raise forms.ValidationError(_("Le montant ne peut pas être négatif."))


# --- the team ------------------------------------------------------------------------------


class TeamMemberForm(forms.Form):
    """Add someone to the team (or change their role). The lead is a project field, so the
    lead's role is neither given nor taken here."""

    prefix = "membre"

    user = PersonField(
        label=_("Personne"),
        queryset=User.objects.none(),
        help_text=_(
            "L’adresse e-mail d’un membre du réseau ou d’une organisation partenaire "
            "(tapez un nom : des suggestions s’affichent)."
        ),
    )
    role = forms.ChoiceField(
        label=_("Rôle"),
        choices=[c for c in TeamMember.Role.choices if c[0] != TeamMember.Role.LEAD],
        initial=TeamMember.Role.MEMBER,
    )

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = (
            User.objects.active()
            .filter(Q(role__in=NETWORK_ROLES) | Q(role=Role.PARTNER))
            .exclude(pk=project.lead_id)
        )
        self.helper = _helper(_("Ajouter à l’équipe"), prefix=self.prefix)


# --- the small add forms of the detail page --------------------------------------------------


class StatusReportForm(ProjectItemForm):
    submit_label = _("Ajouter le point d’étape")
    prefix = "point"

    class Meta:
        model = StatusReport
        fields = ["reported_on", "health", "summary", "next_steps"]
        widgets = {
            "reported_on": DateInput,
            "health": forms.RadioSelect,
            "summary": forms.Textarea(attrs={"rows": 3}),
            "next_steps": forms.Textarea(attrs={"rows": 2}),
        }


class LeverForm(ProjectItemForm):
    submit_label = _("Ajouter le frein ou levier")
    prefix = "levier"

    class Meta:
        model = BlockerLever
        fields = ["kind", "text", "owner"]
        widgets = {"kind": forms.RadioSelect, "text": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        project = self.instance.project
        # Someone of the team carries it; left empty, the author does.
        self.fields["owner"].queryset = (
            User.objects.active()
            .filter(Q(project_memberships__project=project) | Q(pk=project.lead_id))
            .distinct()
        )
        self.fields["owner"].help_text = _("Par défaut, vous.")


class PrototypeForm(ProjectItemForm):
    submit_label = _("Ajouter le prototype")
    prefix = "prototype"

    class Meta:
        model = Prototype
        fields = ["kind", "version", "tested_on", "users_tested", "user_tests", "findings"]
        widgets = {
            "tested_on": DateInput,
            "user_tests": forms.Textarea(attrs={"rows": 2}),
            "findings": forms.Textarea(attrs={"rows": 2}),
        }


class ExperimentForm(ProjectItemForm):
    submit_label = _("Ajouter l’expérimentation")
    prefix = "experimentation"

    class Meta:
        model = Experiment
        fields = [
            "title",
            "cafs",
            "protocol",
            "starts_on",
            "ends_on",
            "status",
            "population_reached",
        ]
        widgets = {
            "protocol": forms.Textarea(attrs={"rows": 2}),
            "starts_on": DateInput,
            "ends_on": DateInput,
            "status": forms.RadioSelect,
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["cafs"].help_text = _("Maintenez Ctrl (ou Cmd) pour en choisir plusieurs.")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("La fin doit suivre le début."))
        return data


class EventForm(ProjectItemForm):
    submit_label = _("Ajouter l’événement")
    prefix = "evenement"

    class Meta:
        model = ProjectEvent
        fields = ["occurred_on", "kind", "title", "description"]
        widgets = {"occurred_on": DateInput, "description": forms.Textarea(attrs={"rows": 2})}
