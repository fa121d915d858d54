"""The consultation's form: what it is about, whom it consults, when, and its privacy notice."""

from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout, Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from caflab.core.richtext import RichTextFormMixin
from caflab.network.models import Caf
from ecoute.models import Community, Consultation
from projects.models import Project


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


FIELDSETS: tuple[tuple[Any, tuple[str, ...]], ...] = (
    (_("La consultation"), ("title", "summary", "body")),
    (
        _("Qui est consulté"),
        ("audience", "access", "communities", "allow_anonymous", "caf", "perimeter_cafs"),
    ),
    (_("Calendrier"), ("opens_at", "closes_at")),
    (
        _("Contributions (appel à idées, témoignages)"),
        ("collects_contributions", "contribution_kind", "moderation_mode"),
    ),
    (
        _("Données personnelles (mention d’information)"),
        (
            "privacy_controller",
            "privacy_purpose",
            "privacy_retention_months",
            "privacy_contact",
            "privacy_rights",
        ),
    ),
    (_("Portefeuille"), ("projects",)),
)


class ConsultationForm(RichTextFormMixin, forms.ModelForm):
    """Create or edit a consultation. Its status is not here: it moves by the manager's actions
    and, at its dates, by the periodic task. A correspondent's consultation is their Caf's."""

    richtext_fields = ("body",)

    class Meta:
        model = Consultation
        fields = [
            "title",
            "summary",
            "body",
            "audience",
            "access",
            "allow_anonymous",
            "caf",
            "perimeter_cafs",
            "opens_at",
            "closes_at",
            "privacy_controller",
            "privacy_purpose",
            "privacy_retention_months",
            "privacy_contact",
            "privacy_rights",
            "projects",
            "collects_contributions",
            "contribution_kind",
            "moderation_mode",
            "communities",
        ]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 2}),
            "body": forms.Textarea(attrs={"rows": 6}),
            "audience": forms.RadioSelect,
            "access": forms.RadioSelect,
            "opens_at": DateTimeInput,
            "closes_at": DateTimeInput,
            "privacy_purpose": forms.Textarea(attrs={"rows": 3}),
            "privacy_rights": forms.Textarea(attrs={"rows": 3}),
            "perimeter_cafs": forms.SelectMultiple(attrs={"size": 8}),
            "projects": forms.SelectMultiple(attrs={"size": 6}),
            "contribution_kind": forms.RadioSelect,
            "moderation_mode": forms.RadioSelect,
            "communities": forms.SelectMultiple(attrs={"size": 4}),
        }

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        creating = self.instance.pk is None
        self.fields["communities"].queryset = Community.objects.managed_by(user)
        self.fields["communities"].help_text = _(
            "Pour une consultation réservée à une communauté : ses membres la voient et y "
            "répondent."
        )
        self.fields["perimeter_cafs"].queryset = Caf.objects.all()
        self.fields["perimeter_cafs"].help_text = _(
            "Aucune Caf choisie : consultation nationale. Maintenez Ctrl (ou Cmd) pour en "
            "choisir plusieurs."
        )
        self.fields["projects"].queryset = Project.objects.visible_to(user).order_by("code")
        self.fields["projects"].required = False
        self.fields["privacy_purpose"].required = True
        self.fields["privacy_contact"].required = True
        questionnaire = getattr(self.instance, "questionnaire", None) if not creating else None
        if questionnaire is not None and questionnaire.responses.exists():
            # The promise made to those who answered holds: anonymous stays anonymous, and named
            # answers (one per person) do not turn into a new, anonymous round.
            self.fields["allow_anonymous"].disabled = True
            self.fields["allow_anonymous"].help_text = _(
                "Des réponses ont déjà été reçues : ce choix ne peut plus changer."
            )
        if not (user.is_lab_staff or user.is_moderator):
            del self.fields["caf"]  # a correspondent's consultation is their own Caf's
            if creating and user.caf_id:
                self.fields["perimeter_cafs"].initial = [user.caf_id]
        # Contributions are optional: left out, a consultation keeps the model's defaults.
        for name in ("contribution_kind", "moderation_mode"):
            self.fields[name].required = False
        self.helper = FormHelper()
        self.helper.add_input(
            Submit("submit", _("Créer la consultation") if creating else _("Enregistrer"))
        )
        self.helper.add_input(self.preview_button())
        self.helper.layout = Layout(
            *(
                Fieldset(legend, *[name for name in names if name in self.fields])
                for legend, names in FIELDSETS
            )
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        opens, closes = data.get("opens_at"), data.get("closes_at")
        if opens and closes and closes <= opens:
            self.add_error("closes_at", _("La clôture doit suivre l’ouverture."))
        if self.instance.pk and not self.instance.is_draft and not (opens and closes):
            self.add_error("closes_at", _("Une consultation publiée garde ses deux dates."))
        for name in ("contribution_kind", "moderation_mode"):
            if not data.get(name):
                data[name] = (
                    getattr(self.instance, name) or Consultation._meta.get_field(name).get_default()
                )
        if data.get("access") == Consultation.Access.COMMUNITY:
            if "communities" in data and not data["communities"]:
                self.add_error(
                    "communities",
                    _("Choisissez la communauté à laquelle la consultation est réservée."),
                )
        elif "communities" in data:
            data["communities"] = Community.objects.none()  # only a community consultation has one
        return data


class RestitutionFilterForm(forms.Form):
    """The managers' list filtered on the restitutions owed: due, or overdue (closed for
    ECOUTE_RESTITUTION_REMINDER_DAYS days or more)."""

    restitution = forms.ChoiceField(
        label=_("Restitution"),
        required=False,
        choices=[
            ("", _("Toutes les consultations")),
            ("due", _("Restitution attendue")),
            ("overdue", _("Restitution en retard")),
        ],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
