"""A supporter's own forms: availability, conflicts and debriefs."""

from __future__ import annotations

from crispy_forms.bootstrap import InlineRadios
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row, Submit
from django import forms
from django.utils import timezone

from post_program.models import PeerSupporter, Physician

from ..models import (
    DebriefTrigger,
)
from .casework import RosterLinkField
from .common import (
    _model_choice,
    _yes_no,
)


class AvailabilityForm(forms.Form):
    accepting_referrals = forms.TypedChoiceField(
        label="Are you taking new cases?",
        choices=[("yes", "Yes, offer me new cases"), ("no", "No, not for now")],
        coerce=_yes_no,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Say whether you are taking new cases.",
            "invalid_choice": "Say whether you are taking new cases.",
        },
    )
    away_until = forms.DateField(
        label="Away until (optional)",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="You are not offered new cases up to and including this day.",
        error_messages={"invalid": "Enter a date as YYYY-MM-DD."},
    )
    caseload_cap = forms.IntegerField(
        label="Most open cases at once",
        min_value=1,
        max_value=50,
        widget=forms.NumberInput(attrs={"min": 1, "max": 50}),
        error_messages={
            "required": "Enter how many open cases you can hold at once.",
            "invalid": "Enter a whole number from 1 to 50.",
            "min_value": "Enter a whole number from 1 to 50.",
            "max_value": "Enter a whole number from 1 to 50.",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_id = "availability-form"
        self.helper.attrs = {"novalidate": ""}
        self.helper.layout = Layout(
            InlineRadios("accepting_referrals"),
            Row(
                Column("away_until", css_class="col-md-4"),
                Column("caseload_cap", css_class="col-md-4"),
            ),
            Submit("save", "Save availability", css_class="btn-primary"),
        )

    def clean_away_until(self):
        away_until = self.cleaned_data["away_until"]
        if away_until is not None and away_until < timezone.localdate():
            raise forms.ValidationError(
                "That day has passed: choose today or a later day, or leave it empty."
            )
        return away_until


class ConflictForm(forms.Form):
    physician = RosterLinkField(
        queryset=Physician.objects.none(),
        error_messages={
            "required": "Choose the colleague from the search results.",
            "invalid_choice": "That colleague is not on the roster; search again.",
        },
    )

    def __init__(self, *args, supporter: PeerSupporter, **kwargs):
        super().__init__(*args, **kwargs)
        _model_choice(self, "physician").queryset = Physician.objects.select_related(
            "department__site"
        ).exclude(pk=supporter.physician_id)


class ConflictSearchForm(forms.Form):
    q = forms.CharField(label="Find a colleague by name", max_length=100, required=False)

    @property
    def query(self) -> str:
        return self.cleaned_data["q"].strip() if self.is_valid() else ""


class DebriefForm(forms.Form):
    trigger = forms.ChoiceField(choices=DebriefTrigger.choices, widget=forms.HiddenInput)
