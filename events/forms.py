"""Forms of the events: the organiser's event form, the materials upload, the cancellation."""

from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout, Submit
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from caflab.accounts.models import NETWORK_ROLES, User
from caflab.core.richtext import RichTextFormMixin
from caflab.core.uploads import DOCUMENTS, IMAGES, check_upload, display_name
from caflab.network.models import Caf, Directorate, Programme, Theme
from events.models import ELIGIBLE_ROLE_CHOICES, DebateProposal, Event, Material

MAX_UPLOAD_BYTES = 20 * 1024 * 1024  # 20 Mo: slides are heavier than notes
MATERIAL_KINDS = {**DOCUMENTS, **IMAGES}
MAX_ORGANISERS = 10
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


def _helper(submit_label: Any, *, form_tag: bool = True) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = form_tag
    helper.add_input(Submit("submit", submit_label))
    return helper


class CafChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Caf) -> str:
        return f"{obj.code} – {obj.name}"


FIELDSETS: tuple[tuple[Any, tuple[str, ...]], ...] = (
    (_("L’événement"), ("kind", "title", "description", "themes", "programme")),
    (_("Quand et où"), ("starts_at", "ends_at", "place", "online_url")),
    (
        _("Public et inscriptions"),
        (
            "audience",
            "directorate",
            "cafs",
            "eligible_roles",
            "seats",
            "registration_opens_at",
            "registration_closes_at",
        ),
    ),
    (_("Organisation"), ("organiser_emails",)),
)


class EventForm(RichTextFormMixin, forms.ModelForm):
    """An event. A correspondent's events are his Caf's; the lab's are national. The
    organisers are given by e-mail, one per line (the author organises a new event)."""

    organiser_emails = forms.CharField(
        label=_("Co-organisateurs"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Adresses e-mail professionnelles d’agents du réseau, une par ligne. Ils pourront "
            "modifier l’événement et relever la présence."
        ),
    )
    eligible_roles = forms.MultipleChoiceField(
        label=_("Rôles admis à s’inscrire"),
        choices=ELIGIBLE_ROLE_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Aucun coché : toute personne du public visé peut s’inscrire."),
    )
    cafs = CafChoices(
        label=_("Caf concernées"),
        queryset=Caf.objects.order_by("position"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=Event._meta.get_field("cafs").help_text,
    )

    richtext_fields = ("description",)

    class Meta:
        model = Event
        fields = [
            "kind",
            "title",
            "description",
            "themes",
            "programme",
            "starts_at",
            "ends_at",
            "place",
            "online_url",
            "audience",
            "directorate",
            "cafs",
            "eligible_roles",
            "seats",
            "registration_opens_at",
            "registration_closes_at",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "themes": forms.CheckboxSelectMultiple,
            "audience": forms.RadioSelect,
            "starts_at": DateTimeInput,
            "ends_at": DateTimeInput,
            "registration_opens_at": DateTimeInput,
            "registration_closes_at": DateTimeInput,
        }
        help_texts = {
            "place": _("Adresse et salle, pour un événement sur place."),
            "online_url": _("Pour un événement en ligne (ou hybride)."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        creating = self.instance.pk is None
        for name in ("starts_at", "ends_at", "registration_opens_at", "registration_closes_at"):
            self.fields[name].input_formats = DATETIME_FORMATS
        themes = [] if creating else list(self.instance.themes.values_list("pk", flat=True))
        self.fields["themes"].queryset = Theme.objects.filter(Q(is_active=True) | Q(pk__in=themes))
        self.fields["programme"].queryset = Programme.objects.filter(is_active=True) | (
            Programme.objects.filter(pk=self.instance.programme_id)
        )
        self.fields["directorate"].queryset = Directorate.objects.filter(is_active=True)
        self.fields["audience"].choices = Event.Audience.choices
        if not creating:
            self.fields["organiser_emails"].label = _("Organisateurs")
            self.fields["organiser_emails"].initial = "\n".join(
                self.instance.organisers.order_by("email").values_list("email", flat=True)
            )
        self.helper = _helper(_("Créer le brouillon") if creating else _("Enregistrer"))
        self.helper.add_input(self.preview_button())
        self.helper.layout = Layout(*(Fieldset(legend, *names) for legend, names in FIELDSETS))

    def clean_organiser_emails(self) -> list[User]:
        emails: list[str] = []
        for line in self.cleaned_data["organiser_emails"].replace(",", "\n").splitlines():
            email = line.strip().lower()
            if not email:
                continue
            try:
                validate_email(email)
            except ValidationError as exc:
                raise ValidationError(
                    _("« %(email)s » n’est pas une adresse e-mail.") % {"email": email}
                ) from exc
            if email not in emails:
                emails.append(email)
        if len(emails) > MAX_ORGANISERS:
            raise ValidationError(
                _("Un événement compte au plus %(n)s organisateurs.") % {"n": MAX_ORGANISERS}
            )
        users = list(
            User.objects.active().filter(role__in=NETWORK_ROLES, email__in=emails).order_by("pk")
        )
        unknown = sorted(set(emails) - {user.email for user in users})
        if unknown:
            raise ValidationError(
                _("Aucun agent du réseau inscrit sur CafLab avec cette adresse : %(emails)s.")
                % {"emails": ", ".join(unknown)}
            )
        if not creating_with_nobody(self.instance, users):
            raise ValidationError(_("Gardez au moins un organisateur."))
        return users

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("audience") == Event.Audience.CAFS and not data.get("cafs"):
            self.add_error("cafs", _("Choisissez les Caf qui voient l’événement."))
        return data


def creating_with_nobody(event: Event, users: list[User]) -> bool:
    """A new event may leave the field empty (its author organises it); an existing one keeps
    someone."""
    return event.pk is None or bool(users)


class MaterialForm(forms.ModelForm):
    """A support shared with the participants: checked kind, size and content."""

    class Meta:
        model = Material
        fields = ["file", "description"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["accept"] = ",".join(f".{ext}" for ext in MATERIAL_KINDS)
        self.fields["file"].help_text = _("Formats : %(formats)s ; %(size)s Mo au plus.") % {
            "formats": ", ".join(sorted(MATERIAL_KINDS)),
            "size": MAX_UPLOAD_BYTES // (1024 * 1024),
        }
        self.fields["description"].help_text = _("Facultatif : diaporama, notes, synthèse…")
        self.helper = _helper(_("Ajouter le support"), form_tag=False)

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        self.kind = check_upload(upload, MATERIAL_KINDS, max_bytes=MAX_UPLOAD_BYTES)
        return upload

    @property
    def display_name(self) -> str:
        return display_name(self.cleaned_data["file"].name)


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Motif de l’annulation"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Envoyé aux inscrits."),
    )


class SynthesisForm(RichTextFormMixin, forms.ModelForm):
    """What was said at the event."""

    richtext_fields = ("synthesis",)

    class Meta:
        model = Event
        fields = ["synthesis"]
        widgets = {"synthesis": forms.Textarea(attrs={"rows": 8})}
        # In Meta, so that the mixin's formatting help follows it.
        help_texts = {
            "synthesis": _(
                "Ce qui s’est dit : les constats, les points d’accord et de désaccord. Les "
                "participants la lisent sur la page de l’événement."
            )
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Enregistrer la synthèse"), form_tag=False)
        self.helper.add_input(self.preview_button())


class ProposalForm(forms.ModelForm):
    """One proposal that came out of the event."""

    class Meta:
        model = DebateProposal
        fields = ["text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["text"].label = _("Nouvelle proposition")
        self.fields["text"].help_text = _(
            "Une proposition par envoi. Chacune pourra devenir une idée de la boîte à idées ; "
            "les participants seront informés de ce qu’elle devient."
        )
        self.helper = _helper(_("Ajouter la proposition"), form_tag=False)
