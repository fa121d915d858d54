"""Forms of indicators: the indicator, a target, a measurement, and the CSV or XLSX import."""

import re
from typing import Any

from crispy_forms.layout import Fieldset, Layout
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from caflab.accounts.models import User
from caflab.core.forms import DateInput
from caflab.core.uploads import check_upload, extension_of, pick_kinds
from evaluation.forms.plans import helper
from evaluation.models import EvaluativeQuestion, Indicator, IndicatorTarget, Measurement
from evaluation.services.measurement_import import MAX_IMPORT_BYTES

DECIMAL_ATTRS = {"inputmode": "decimal", "autocomplete": "off"}


class FrenchDecimalField(forms.DecimalField):
    """A number as people type it in France: "1 234,5" (any kind of space between thousands,
    decimal comma), "1.234,5" or "1234.5"."""

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str):
            value = re.sub(r"[\s\u00a0\u202f]", "", value)
            if "," in value and "." in value:
                value = value.replace(".", "")
            value = value.replace(",", ".")
        return super().to_python(value)


class IndicatorForm(forms.ModelForm):
    class Meta:
        model = Indicator
        fields = [
            "name",
            "definition",
            "unit",
            "direction",
            "category",
            "effect",
            "question",
            "baseline_value",
            "baseline_date",
            "baseline_source",
            "collection_method",
            "frequency",
            "owner",
            "position",
        ]
        localized_fields = ["baseline_value"]
        field_classes = {"baseline_value": FrenchDecimalField}
        widgets = {
            "definition": forms.Textarea(attrs={"rows": 3}),
            "baseline_date": DateInput,
            "baseline_value": forms.TextInput(attrs=DECIMAL_ATTRS),
        }

    def __init__(self, *args: Any, project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.project = project
        team = Q(project_memberships__project=project) | Q(pk=project.lead_id)
        if self.instance.owner_id:
            team |= Q(pk=self.instance.owner_id)
        self.fields["owner"].queryset = (
            User.objects.filter(team).distinct().order_by("last_name", "first_name")
        )
        self.fields["question"].queryset = EvaluativeQuestion.objects.filter(
            plan__project=project
        ).order_by("position", "pk")
        self.fields["baseline_value"].widget.attrs.update(DECIMAL_ATTRS)
        self.helper = helper(_("Enregistrer l’indicateur"))
        self.helper.layout = Layout(
            Fieldset(
                _("L’indicateur"),
                "name",
                "definition",
                "unit",
                "direction",
                "category",
                "effect",
                "question",
            ),
            Fieldset(
                _("Situation de référence"), "baseline_value", "baseline_date", "baseline_source"
            ),
            Fieldset(_("Collecte"), "collection_method", "frequency", "owner", "position"),
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("baseline_value") is not None and not data.get("baseline_date"):
            self.add_error("baseline_date", _("Une valeur de référence doit être datée."))
        return data


class TargetForm(forms.ModelForm):
    prefix = "cible"

    class Meta:
        model = IndicatorTarget
        fields = ["period", "value"]
        localized_fields = ["value"]
        field_classes = {"value": FrenchDecimalField}
        widgets = {"period": DateInput, "value": forms.TextInput(attrs=DECIMAL_ATTRS)}
        help_texts = {"period": _("Un jour de la période : elle est ramenée à son premier jour.")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["value"].widget.attrs.update(DECIMAL_ATTRS)
        self.helper = helper(_("Enregistrer la cible"))

    def validate_unique(self) -> None:
        """A second target for the same period replaces the first (the service upserts)."""


class MeasurementForm(forms.ModelForm):
    """A value for one period and one Caf among those the user may measure (a forged Caf is
    refused by the choice field); empty Caf = national value, for those allowed."""

    prefix = "mesure"

    class Meta:
        model = Measurement
        fields = ["caf", "period", "value", "source", "evidence"]
        localized_fields = ["value"]
        field_classes = {"value": FrenchDecimalField}
        widgets = {
            "period": DateInput,
            "value": forms.TextInput(attrs=DECIMAL_ATTRS),
            "evidence": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {
            "period": _("Un jour de la période : elle est ramenée à son premier jour."),
            "source": _("D’où vient la valeur : requête, tableau de bord, enquête…"),
        }

    def __init__(self, *args: Any, cafs, national_allowed: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["caf"]
        field.queryset = cafs
        field.required = not national_allowed
        field.empty_label = _("National (toutes Caf)") if national_allowed else None
        field.help_text = (
            _("La Caf pilote ou une Caf de déploiement ; vide pour la valeur nationale.")
            if national_allowed
            else _("Vous saisissez les mesures de votre Caf.")
        )
        self.fields["value"].widget.attrs.update(DECIMAL_ATTRS)
        self.helper = helper(_("Enregistrer la mesure"))

    def validate_unique(self) -> None:
        """Entering a period already measured corrects it (the service upserts)."""


class MeasurementImportForm(forms.Form):
    file = forms.FileField(
        label=_("Fichier CSV ou XLSX"),
        help_text=_(
            "CSV en UTF-8 ou Windows-1252, séparateur « ; » ou « , », ou classeur XLSX ; "
            "1 Mo au plus."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = helper(_("Importer"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            check_upload(upload, pick_kinds("csv", "xlsx"), max_bytes=MAX_IMPORT_BYTES)
        except ValidationError as error:  # French reasons
            # A CSV need not be UTF-8 (French Excel writes Windows-1252): the import reads its
            # text, and reports in French what it cannot read.
            if error.code != "content" or extension_of(upload.name or "") != "csv":
                raise
        return upload
