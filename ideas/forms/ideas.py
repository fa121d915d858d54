"""Idea forms: submit or edit an idea (with its attachments, checked), change its status with a
reason, comment, assign reviewers in the triage queue. The triage scorecard is the gate
reviews' form (projects.forms.gates.GateScoreForm) given the "idea" criteria."""

import re
from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Field, Fieldset, Layout, Submit
from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from caflab.accounts.models import NETWORK_ROLES, Role, User
from caflab.core.forms import DateInput
from caflab.core.uploads import Kind, check_upload, pick_kinds
from caflab.network.models import Caf, Theme
from ideas.models import Idea, IdeaComment
from ideas.services.ideas import ACCEPT_STAGES, allowed_moves
from projects.forms.gates import GateScoreForm
from projects.models import Stage

# --- attachments ---------------------------------------------------------------------------

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024  # 10 Mo
MAX_ATTACHMENTS = 5
ATTACHMENT_KINDS = pick_kinds("pdf", "docx", "xlsx", "odt", "png", "jpg", "jpeg")
ACCEPTED_FORMATS = "PDF, DOCX, XLSX, ODT, PNG, JPG"
# Several files are checked at once: each message names its file.
ATTACHMENT_ERRORS = {
    "extension": _(
        "« %(name)s » : ce type de fichier n’est pas accepté (formats acceptés : %(formats)s)."
    ),
    "size": _("« %(name)s » dépasse la taille maximale de %(size)s Mo."),
    "empty": _("« %(name)s » est vide."),
    "content": _(
        "« %(name)s » : le contenu du fichier ne correspond pas à son extension (.%(extension)s)."
    ),
}


def check_attachment(upload: UploadedFile) -> Kind:
    """The file's kind if it may be attached: an accepted extension, at most 10 Mo, and first
    bytes that match the extension (an executable renamed .pdf is refused). French errors."""
    try:
        return check_upload(upload, ATTACHMENT_KINDS, max_bytes=MAX_ATTACHMENT_BYTES)
    except forms.ValidationError as error:
        params = {**(error.params or {}), "formats": ACCEPTED_FORMATS}
        raise forms.ValidationError(
            ATTACHMENT_ERRORS[error.code or "content"], code=error.code, params=params
        ) from error


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class AttachmentsField(forms.FileField):
    """Several files at once, each checked; cleaned to a list of (upload, content type)."""

    widget = MultipleFileInput

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[tuple[UploadedFile, str]]:
        uploads = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if len(uploads) > MAX_ATTACHMENTS:
            raise forms.ValidationError(
                _("%(max)s fichiers au plus.") % {"max": MAX_ATTACHMENTS}, code="too_many"
            )
        errors, cleaned = [], []
        for upload in uploads:
            try:
                super().clean(upload, initial)
                cleaned.append((upload, check_attachment(upload).content_type))
            except forms.ValidationError as error:
                errors.extend(error.error_list)
        if errors:
            raise forms.ValidationError(errors)
        return cleaned


# --- the idea ------------------------------------------------------------------------------

EMAIL_SPLIT = re.compile(r"[\s,;]+")


class IdeaForm(forms.ModelForm):
    """Submit or edit an idea. The problem comes first: an idea starts from what is wrong.

    Typing the title or the problem asks for similar ideas (htmx, after a pause); without
    JavaScript, the "check similar ideas" button does the same by posting the form.
    """

    co_authors = forms.CharField(
        label=_("Co-auteurs"),
        required=False,
        help_text=_(
            "Facultatif : les adresses e-mail professionnelles de vos co-auteurs, séparées par "
            "des virgules. Ils seront informés, comme vous, des suites données à l’idée."
        ),
    )
    attachments = AttachmentsField(
        label=_("Pièces jointes"),
        help_text=_(
            "Facultatif : jusqu’à 5 fichiers de 10 Mo au plus chacun (PDF, DOCX, XLSX, ODT, PNG "
            "ou JPG). Ils ne sont téléchargeables que par les personnes qui voient l’idée."
        ),
    )

    class Meta:
        model = Idea
        fields = ["problem", "title", "solution", "target_publics", "themes", "caf"]
        labels = {
            "problem": _("Quel problème constatez-vous ?"),
            "title": _("Titre de l’idée"),
            "solution": _("Quelle solution proposez-vous ?"),
            "target_publics": _("Publics concernés"),
        }
        help_texts = {
            "problem": _(
                "Décrivez la situation vécue par les allocataires ou les agents, avec des faits."
            ),
            "title": _("Une phrase courte, qui donne envie de lire la suite."),
            "solution": _("Facultatif : l’idée peut n’être encore qu’un problème bien posé."),
            "target_publics": _("Par exemple : familles monoparentales, jeunes, agents d’accueil."),
            "caf": _("Par défaut, votre Caf."),
        }
        widgets = {
            "problem": forms.Textarea(attrs={"rows": 5}),
            "solution": forms.Textarea(attrs={"rows": 4}),
            "themes": forms.CheckboxSelectMultiple,
        }
        error_messages = {
            "problem": {"required": _("Décrivez le problème constaté.")},
            "title": {"required": _("Donnez un titre à votre idée.")},
        }

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        creating = self.instance.pk is None
        chosen = [] if creating else list(self.instance.themes.values_list("pk", flat=True))
        self.fields["themes"].queryset = Theme.objects.filter(Q(is_active=True) | Q(pk__in=chosen))
        self.fields["caf"].queryset = Caf.objects.order_by("position")
        self.fields["caf"].empty_label = _("Aucune (idée nationale)")
        if creating:
            self.fields["caf"].initial = user.caf_id
        else:
            self.fields["co_authors"].initial = ", ".join(
                self.instance.co_authors.order_by("email").values_list("email", flat=True)
            )
        similar_url = reverse("ideas:idea-similar")
        for name in ("title", "problem"):
            self.fields[name].widget.attrs.update(
                {
                    "data-hx-get": similar_url,
                    "data-hx-trigger": "keyup changed delay:500ms",
                    "data-hx-target": "#idees-similaires",
                    "data-hx-include": "#id_title, #id_problem, #id_exclude",
                    "data-hx-sync": "closest form:replace",
                    "aria-describedby": f"id_{name}_helptext idees-similaires",
                }
            )
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Fieldset(
                _("Votre idée"),
                Field("problem"),
                Field("title"),
                Field("solution"),
                Field("target_publics"),
            ),
            Fieldset(_("Classement"), Field("themes"), Field("caf")),
            Fieldset(_("Co-auteurs et pièces jointes"), Field("co_authors"), Field("attachments")),
        )

    def clean_co_authors(self) -> list[User]:
        emails = [e.lower() for e in EMAIL_SPLIT.split(self.cleaned_data["co_authors"]) if e]
        emails = list(dict.fromkeys(e for e in emails if e != self.user.email.lower()))
        if not emails:
            return []
        found = {
            u.email.lower(): u
            for u in User.objects.active().filter(role__in=NETWORK_ROLES, email__in=emails)
        }
        unknown = [e for e in emails if e not in found]
        if unknown:
            raise forms.ValidationError(
                _("Aucun agent du réseau n’a cette adresse : %(emails)s.")
                % {"emails": ", ".join(unknown)}
            )
        return [found[e] for e in emails]


# --- status --------------------------------------------------------------------------------


class MergeTargetField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Idea) -> str:
        return f"n° {obj.pk} – {obj.title} ({obj.get_status_display()})"


class IdeaStatusForm(forms.Form):
    """Move an idea on, with the reason told to its authors and followers."""

    to_status = forms.ChoiceField(
        label=_("Nouveau statut"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Choisissez le nouveau statut.")},
    )
    reason = forms.CharField(
        label=_("Motif"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Obligatoire : il est envoyé aux auteurs et aux abonnés de l’idée."),
        error_messages={"required": _("Le motif est obligatoire : il sera envoyé aux auteurs.")},
    )
    stage = forms.ChoiceField(
        label=_("Étape du projet créé"),
        choices=[(s.value, s.label) for s in Stage if s in ACCEPT_STAGES],
        initial=Stage.IDEA,
        required=False,
        widget=forms.RadioSelect,
        help_text=_(
            "Pour « retenue comme projet » : le projet entre au portefeuille à cette étape."
        ),
    )
    merged_into = MergeTargetField(
        label=_("Idée à rejoindre"),
        queryset=Idea.objects.none(),
        required=False,
        empty_label=_("Choisissez une idée"),
        help_text=_("Pour une fusion : ses soutiens et ses abonnés rejoignent cette idée."),
    )
    revisit_on = forms.DateField(
        label=_("À réexaminer le"),
        required=False,
        widget=DateInput(),
        help_text=_("Pour une mise en attente : une date à venir."),
    )

    def __init__(self, *args: Any, idea: Idea, action: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.idea = idea
        self.fields["to_status"].choices = [
            (value, label) for value, label in Idea.Status.choices if value in allowed_moves(idea)
        ]
        self.fields["merged_into"].queryset = (
            Idea.objects.exclude(pk=idea.pk)
            .exclude(status=Idea.Status.MERGED)
            .only("pk", "title", "status")
            .order_by("-created_at")
        )
        # The template writes the <form> tag, posting to `form.action`: crispy copies a
        # helper's action and id onto radio groups (a duplicate id).
        self.action = action
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.add_input(Submit("submit", _("Enregistrer le changement de statut")))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        status = data.get("to_status")
        if status == Idea.Status.ACCEPTED and data.get("stage") not in ACCEPT_STAGES:
            self.add_error("stage", _("Choisissez l’étape idée ou séance de créativité."))
        if status == Idea.Status.MERGED and data.get("merged_into") is None:
            self.add_error("merged_into", _("Choisissez l’idée dans laquelle fusionner."))
        if status == Idea.Status.SHELVED:
            revisit_on = data.get("revisit_on")
            if revisit_on is None or revisit_on <= timezone.localdate():
                self.add_error("revisit_on", _("Indiquez une date de réexamen à venir."))
        return data


# --- comments ------------------------------------------------------------------------------


class IdeaCommentForm(forms.Form):
    text = forms.CharField(
        label=_("Votre commentaire"),
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Le commentaire est vide.")},
    )
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)
    prefix = "commentaire"  # the shared thread's reply forms post under it

    def __init__(self, *args: Any, idea: Idea, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.idea = idea

    def clean_parent(self) -> IdeaComment | None:
        parent_id = self.cleaned_data.get("parent")
        if parent_id is None:
            return None
        parent = IdeaComment.objects.filter(idea=self.idea, pk=parent_id).first()
        if parent is None:
            raise forms.ValidationError(_("Le commentaire auquel vous répondez n’existe plus."))
        return parent


# --- triage --------------------------------------------------------------------------------


def reviewer_choices(user: User) -> QuerySet[User]:
    """Who may be named reviewer: the lab, and the correspondents (a correspondent names those
    of their own Caf)."""
    correspondents = Q(role=Role.CORRESPONDENT)
    if not user.is_lab_staff:
        correspondents &= Q(caf=user.caf_id)
    return (
        User.objects.active()
        .filter(Q(role=Role.LAB_STAFF) | correspondents)
        .select_related("caf")
        .order_by("last_name", "first_name", "email")
    )


class ReviewerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        where = f", {obj.caf}" if obj.caf_id else ""
        return f"{obj} ({obj.get_role_display()}{where})"


class TriageAssignForm(forms.Form):
    """Checked ideas of the queue (within what the user may triage) and the reviewer named."""

    idees = forms.ModelMultipleChoiceField(
        label=_("Idées"),
        queryset=Idea.objects.none(),
        error_messages={
            "required": _("Cochez au moins une idée."),
            "invalid_choice": _("Une des idées cochées n’est plus dans votre file de tri."),
            "invalid_pk_value": _("Une des idées cochées n’est plus dans votre file de tri."),
        },
    )
    reviewer = ReviewerChoiceField(
        label=_("Confier à"),
        queryset=User.objects.none(),
        empty_label=_("Choisissez un examinateur"),
        error_messages={"required": _("Choisissez un examinateur.")},
    )

    def __init__(self, *args: Any, user: User, queue: QuerySet[Idea], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["idees"].queryset = queue
        self.fields["reviewer"].queryset = reviewer_choices(user)


class IdeaScoreForm(GateScoreForm):
    """The gate reviews' scorecard form, reused for the "idea" criteria. The template writes
    the <form> tag (posting to `form.action`): crispy copies a helper's action and id onto the
    radio groups, which would repeat the id once per criterion on the idea's page."""

    def __init__(self, *args: Any, action: str = "", **kwargs: Any) -> None:
        super().__init__(*args, action=action, **kwargs)
        self.action = action
        self.helper.form_tag = False
        self.helper.form_action = ""
        self.helper.form_id = ""
