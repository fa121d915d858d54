"""Forms of the criées: an initiative, its files and images, validation, comments and their
moderation, interest declarations, promotion; a criée, proposals and its programme.

Validation lives here; crispy's `FormHelper` only lays the fields out. The small forms of a
page do not write their own <form> tag: the template does, posting to the form's `action`.
"""

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
from caflab.core.typeahead import TypeaheadChoiceField
from caflab.core.uploads import DOCUMENTS, IMAGES, check_upload, display_name
from caflab.network.models import Caf, Theme
from criees.models import (
    Criee,
    Initiative,
    InitiativeFile,
    InitiativeImage,
    InitiativeMember,
    InterestLevel,
    Pitch,
    Public,
)
from criees.typeahead import contacts_for, proposable
from criees.uploads import MAX_UPLOAD_BYTES

MAX_TEAM = 20


def _helper(submit_label: Any, *, prefix: str = "", form_tag: bool = False) -> FormHelper:
    """Layout only. `prefix` keeps the button's id unique when forms share a page."""
    helper = FormHelper()
    helper.form_tag = form_tag
    helper.add_input(Submit("submit", submit_label, css_id=f"envoyer-{prefix}" if prefix else None))
    return helper


class CafChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Caf) -> str:
        return f"{obj.code} – {obj.name}"


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj} ({obj.email})"


class PeopleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return str(obj)


def _active_or_chosen(queryset: Any, chosen_ids: list[int]) -> Any:
    return queryset.filter(Q(is_active=True) | Q(pk__in=chosen_ids))


# --- the initiative ------------------------------------------------------------------------

INITIATIVE_FIELDSETS: tuple[tuple[Any, tuple[str, ...]], ...] = (
    (_("L’initiative"), ("title", "summary", "caf")),
    (_("Ce que la Caf a fait"), ("problem", "actions", "results", "cost_and_means")),
    (_("Classement"), ("themes", "publics")),
    (_("L’équipe et les contacts"), ("team_emails", "contact")),
)


class InitiativeForm(RichTextFormMixin, forms.ModelForm):
    """Describe an initiative. Its Caf is the author's own (the lab chooses it); the team is
    given by e-mail addresses, one per line (the author, or the current lead, leads it)."""

    team_emails = forms.CharField(
        label=_("Autres membres de l’équipe"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Leurs adresses e-mail professionnelles, une par ligne. Ils pourront modifier "
            "l’initiative jusqu’à sa publication."
        ),
    )
    caf = CafChoiceField(label=_("Caf"), queryset=Caf.objects.order_by("position"))

    richtext_fields = ("problem", "actions", "results", "cost_and_means")

    class Meta:
        model = Initiative
        fields = [
            "title",
            "summary",
            "caf",
            "problem",
            "actions",
            "results",
            "cost_and_means",
            "themes",
            "publics",
            "contact",
        ]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 3}),
            "problem": forms.Textarea(attrs={"rows": 4}),
            "actions": forms.Textarea(attrs={"rows": 5}),
            "results": forms.Textarea(attrs={"rows": 4}),
            "cost_and_means": forms.Textarea(attrs={"rows": 3}),
            "contact": forms.Textarea(attrs={"rows": 3}),
            "themes": forms.CheckboxSelectMultiple,
            "publics": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        creating = self.instance.pk is None
        chosen = (lambda name: []) if creating else self._chosen_ids
        self.fields["themes"].queryset = _active_or_chosen(Theme.objects, chosen("themes"))
        self.fields["publics"].queryset = _active_or_chosen(Public.objects, chosen("publics"))
        self.fields["results"].help_text = _("Chiffres, retours des usagers et des agents.")
        if not user.is_lab_staff:
            del self.fields["caf"]  # one describes one's own Caf's initiatives
        if not creating:
            self.fields["team_emails"].initial = "\n".join(
                self.instance.members.filter(role=InitiativeMember.Role.MEMBER)
                .order_by("user__email")
                .values_list("user__email", flat=True)
            )
        self.helper = _helper(
            _("Enregistrer le brouillon") if creating else _("Enregistrer"), form_tag=True
        )
        self.helper.add_input(self.preview_button())
        self.helper.layout = Layout(
            *(
                Fieldset(legend, *[name for name in names if name in self.fields])
                for legend, names in INITIATIVE_FIELDSETS
            )
        )

    def _chosen_ids(self, name: str) -> list[int]:
        return list(getattr(self.instance, name).values_list("pk", flat=True))

    def clean_team_emails(self) -> list[User]:
        emails = []
        for line in self.cleaned_data["team_emails"].replace(",", "\n").splitlines():
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
        if len(emails) > MAX_TEAM:
            raise ValidationError(_("Une équipe compte au plus %(n)s personnes.") % {"n": MAX_TEAM})
        users = list(
            User.objects.active().filter(role__in=NETWORK_ROLES, email__in=emails).order_by("pk")
        )
        unknown = sorted(set(emails) - {user.email for user in users})
        if unknown:
            raise ValidationError(
                _("Aucun agent du réseau inscrit sur CafLab avec cette adresse : %(emails)s.")
                % {"emails": ", ".join(unknown)}
            )
        return users


class ReviewForm(forms.Form):
    """The correspondent's (or the lab's) validation: publish, or send back with a comment."""

    decision = forms.ChoiceField(
        label=_("Décision"),
        choices=[
            ("publish", _("Publier dans le catalogue")),
            ("return", _("Renvoyer à l’équipe")),
        ],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Commentaire pour l’équipe"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Obligatoire pour un renvoi : ce qu’il faut compléter ou reprendre."),
    )
    prefix = "validation"

    def __init__(self, *args: Any, action: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.action = action
        self.helper = _helper(_("Enregistrer la décision"), prefix=self.prefix)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("decision") == "return" and not data.get("comment", "").strip():
            self.add_error("comment", _("Dites à l’équipe ce qu’il faut reprendre."))
        return data


# --- files and images ----------------------------------------------------------------------


class _UploadForm(forms.ModelForm):
    kinds: dict = {}

    def __init__(self, *args: Any, action: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.action = action
        self.fields["file"].widget.attrs["accept"] = ",".join(f".{ext}" for ext in self.kinds)
        self.fields["file"].help_text = _("Formats : %(formats)s ; %(size)s Mo au plus.") % {
            "formats": ", ".join(sorted(self.kinds)),
            "size": MAX_UPLOAD_BYTES // (1024 * 1024),
        }

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        self.kind = check_upload(upload, self.kinds, max_bytes=MAX_UPLOAD_BYTES)
        return upload

    def save(self, commit: bool = True) -> Any:
        upload = self.cleaned_data["file"]
        self.instance.name = display_name(upload.name)
        self.instance.size = upload.size
        self.instance.content_type = self.kind.content_type
        return super().save(commit=commit)


class FileForm(_UploadForm):
    kinds = DOCUMENTS
    prefix = "fichier"

    class Meta:
        model = InitiativeFile
        fields = ["file", "description"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["description"].help_text = _("Facultatif : de quoi s’agit-il ?")
        self.helper = _helper(_("Ajouter le fichier"), prefix=self.prefix)


class ImageForm(_UploadForm):
    kinds = IMAGES
    prefix = "image"

    class Meta:
        model = InitiativeImage
        fields = ["file", "alt_text", "caption"]
        labels = {"file": _("Image")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["alt_text"].required = True
        self.helper = _helper(_("Ajouter l’image"), prefix=self.prefix)

    def clean_alt_text(self) -> str:
        text = self.cleaned_data["alt_text"].strip()
        if not text:
            raise ValidationError(_("Décrivez l’image pour qui ne la voit pas."))
        return text


# --- comments and moderation -----------------------------------------------------------------


class CommentForm(forms.Form):
    text = forms.CharField(
        label=_("Votre commentaire"), max_length=3000, widget=forms.Textarea(attrs={"rows": 3})
    )
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)
    prefix = "commentaire"

    def __init__(self, *args: Any, action: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.action = action
        self.helper = _helper(_("Publier le commentaire"), prefix=self.prefix)


class ModerationForm(forms.Form):
    action = forms.ChoiceField(
        choices=[("hide", _("Masquer")), ("restore", _("Rétablir"))], widget=forms.HiddenInput
    )
    note = forms.CharField(label=_("Note de modération"), required=False, max_length=300)


# --- interest ------------------------------------------------------------------------------


class InterestForm(forms.Form):
    """ "We want to take it up", for the user's own Caf (the lab chooses the Caf). "Wants to
    replicate" is offered only to those who may say it."""

    caf = CafChoiceField(label=_("Caf"), queryset=Caf.objects.none())
    level = forms.ChoiceField(
        label=_("Niveau d’intérêt"), choices=InterestLevel.choices, widget=forms.RadioSelect
    )
    contact_person = TypeaheadChoiceField(
        label=_("Personne à contacter"),
        queryset=User.objects.none(),
        source="contacts-interet",
        required=False,
        help_text=_("Par défaut, vous. Nom ou adresse e-mail : des suggestions s’affichent."),
    )
    comment = forms.CharField(
        label=_("Commentaire"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    prefix = "interet"

    def __init__(
        self,
        *args: Any,
        user: User,
        initiative: Initiative,
        may_replicate: bool,
        action: str = "",
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.action = action
        levels = [c for c in InterestLevel.choices if may_replicate or c[0] != "replicate"]
        self.fields["level"].choices = levels
        if not may_replicate:
            self.fields["level"].help_text = _(
                "« Veut la reprendre » est déclaré par le correspondant innovation de votre Caf."
            )
        if user.is_lab_staff:
            self.fields["caf"].queryset = Caf.objects.exclude(pk=initiative.caf_id).order_by(
                "position"
            )
        else:
            del self.fields["caf"]
        # The Caf's own people; for the lab, the correspondents of the network and the lab.
        self.fields["contact_person"].queryset = contacts_for(user)
        self.helper = _helper(_("Déclarer l’intérêt"), prefix=self.prefix)

    def chosen_caf(self) -> Caf:
        return self.cleaned_data["caf"] if "caf" in self.fields else self.user.caf


class PromoteForm(forms.Form):
    title = forms.CharField(label=_("Titre du projet"), max_length=200)
    lead = PersonChoiceField(
        label=_("Porteur du projet"),
        queryset=User.objects.none(),
        help_text=_("Le porteur de l’initiative par défaut : la paternité reste à l’équipe."),
    )

    def __init__(self, *args: Any, initiative: Initiative, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        members = InitiativeMember.objects.filter(initiative=initiative, user__is_active=True)
        self.fields["lead"].queryset = User.objects.filter(pk__in=members.values("user"))
        lead = members.filter(role=InitiativeMember.Role.LEAD).values_list("user", flat=True)
        self.fields["lead"].initial = next(iter(lead), None)
        self.fields["title"].initial = initiative.title
        self.helper = _helper(_("Créer le projet en essaimage"), form_tag=True)


# --- criées ----------------------------------------------------------------------------------


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


class CrieeForm(forms.ModelForm):
    class Meta:
        model = Criee
        fields = [
            "title",
            "description",
            "starts_at",
            "format",
            "online_url",
            "place",
            "themes",
            "follow_up_summary",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "starts_at": DateTimeInput,
            "format": forms.RadioSelect,
            "themes": forms.CheckboxSelectMultiple,
            "follow_up_summary": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["starts_at"].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
        self.fields["online_url"].help_text = _("Pour une criée en ligne.")
        self.fields["place"].help_text = _("Pour une criée sur place : adresse, salle.")
        self.fields["format"].choices = Criee.Format.choices
        chosen = [] if self.instance.pk is None else list(self.instance.themes.values_list("pk"))
        self.fields["themes"].queryset = _active_or_chosen(Theme.objects, [c[0] for c in chosen])
        if self.instance.pk is None:
            del self.fields["follow_up_summary"]
        else:
            self.fields["follow_up_summary"].help_text = _(
                "Publié sur la page de suivi : ce que le lab a décidé après la criée."
            )
        self.helper = _helper(
            _("Créer la criée") if self.instance.pk is None else _("Enregistrer"), form_tag=True
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        fmt = data.get("format")
        if fmt in (Criee.Format.ONLINE, Criee.Format.HYBRID) and not data.get("online_url"):
            self.add_error("online_url", _("Indiquez le lien de connexion."))
        if fmt in (Criee.Format.ONSITE, Criee.Format.HYBRID) and not data.get("place"):
            self.add_error("place", _("Indiquez le lieu."))
        return data


class ProposeForm(forms.Form):
    # A type-ahead over the proposable initiatives (thousands for the lab), not a <select>.
    initiative = TypeaheadChoiceField(
        label=_("Initiative à proposer"),
        queryset=Initiative.objects.none(),
        source="initiatives-a-proposer",
        help_text=_(
            "Une initiative publiée : tapez des mots de son titre ou le nom de sa Caf, puis "
            "choisissez une suggestion."
        ),
    )
    prefix = "proposition"

    def __init__(self, *args: Any, user: User, criee: Criee, action: str = "", **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.action = action
        field = self.fields["initiative"]
        field.queryset = proposable(user, criee.pk)
        field.widget.params = {"criee": criee.pk}
        self.helper = _helper(_("Proposer"), prefix=self.prefix)


class ScheduleForm(forms.ModelForm):
    """Put a proposal on the programme, or change its slot and presenters."""

    class Meta:
        model = Pitch
        fields = ["slot_minutes", "presenters"]
        widgets = {"presenters": forms.CheckboxSelectMultiple}

    def __init__(self, *args: Any, action: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.action = action
        pitch = self.instance
        self.prefix = f"passage-{pitch.pk}"
        team = InitiativeMember.objects.filter(initiative=pitch.initiative_id).values("user")
        self.fields["presenters"] = PeopleChoiceField(
            label=_("Présentateurs"),
            queryset=User.objects.active()
            .filter(Q(pk__in=team) | Q(role="correspondent", caf=pitch.initiative.caf_id))
            .order_by("last_name", "first_name"),
            required=False,
            widget=forms.CheckboxSelectMultiple,
            help_text=_("L’équipe de l’initiative et les correspondants de sa Caf."),
        )
        self.fields["slot_minutes"].widget.attrs.update(min=1, max=60)
        self.helper = _helper(
            _("Enregistrer") if pitch.is_scheduled else _("Mettre au programme"),
            prefix=self.prefix,
        )


class DecisionForm(forms.ModelForm):
    class Meta:
        model = Pitch
        fields = ["decision", "decision_note"]
        widgets = {"decision_note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, action: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.action = action
        self.prefix = f"decision-{self.instance.pk}"
        self.fields["decision"].required = True
        self.helper = _helper(_("Enregistrer la décision"), prefix=self.prefix)
