"""A supporter's own forms: availability, conflicts and debriefs."""

from __future__ import annotations

from typing import TYPE_CHECKING

from crispy_forms.bootstrap import InlineCheckboxes, InlineRadios
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row, Submit
from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from post_program.models import PeerSupporter, Physician, Weekday

from ..models import (
    DebriefTrigger,
)
from .casework import RosterLinkField
from .common import (
    _model_choice,
    _yes_no,
)

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class AvailabilityForm(forms.Form):
    accepting_referrals = forms.TypedChoiceField(
        label=_("Are you taking new cases?"),
        choices=[("yes", _("Yes, offer me new cases")), ("no", _("No, not for now"))],
        coerce=_yes_no,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Say whether you are taking new cases."),
            "invalid_choice": _("Say whether you are taking new cases."),
        },
    )
    caseload_cap = forms.IntegerField(
        label=_("Most open cases at once"),
        min_value=1,
        max_value=50,
        widget=forms.NumberInput(attrs={"min": 1, "max": 50}),
        error_messages={
            "required": _("Enter how many open cases you can hold at once."),
            "invalid": _("Enter a whole number from 1 to 50."),
            "min_value": _("Enter a whole number from 1 to 50."),
            "max_value": _("Enter a whole number from 1 to 50."),
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_id = "availability-form"
        self.helper.attrs = {"novalidate": ""}
        self.helper.layout = Layout(
            InlineRadios("accepting_referrals"),
            Row(Column("caseload_cap", css_class="col-md-4")),
            Submit("save", gettext("Save availability"), css_class="btn-primary"),
        )


def _day(label: StrOrPromise, required: StrOrPromise) -> forms.DateField:
    return forms.DateField(
        label=label,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": required, "invalid": _("Enter a date as YYYY-MM-DD.")},
    )


class AwayPeriodForm(forms.Form):
    """A period away, the first and last day included; the service refuses one that overlaps
    another."""

    starts_on = _day(_("First day away"), _("Enter the first day you are away."))
    ends_on = _day(_("Last day away"), _("Enter the last day you are away."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_id = "away-period-form"
        self.helper.form_action = "interactions:away_period_add"
        self.helper.attrs = {"novalidate": ""}
        self.helper.layout = Layout(
            Row(
                Column("starts_on", css_class="col-md-4"),
                Column("ends_on", css_class="col-md-4"),
            ),
            Submit("add", gettext("Add time away")),
        )

    def clean_starts_on(self):
        starts_on = self.cleaned_data["starts_on"]
        if starts_on < timezone.localdate():
            raise forms.ValidationError(
                gettext("That day has passed: start today or on a later day.")
            )
        return starts_on


def _hour(label: StrOrPromise, required: StrOrPromise) -> forms.TimeField:
    return forms.TimeField(
        label=label,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={"required": required, "invalid": _("Enter a time as HH:MM, e.g. 08:30.")},
    )


class ContactWindowForm(forms.Form):
    """The same hours on one or more days of the week, added to the weekly pattern."""

    weekdays = forms.TypedMultipleChoiceField(
        label=_("Days"),
        choices=Weekday.choices,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Choose at least one day."),
            "invalid_choice": _("Choose days of the week from the list."),
        },
    )
    starts_at = _hour(_("From"), _("Enter the time from which you can be contacted."))
    ends_at = _hour(_("Until"), _("Enter the time until which you can be contacted."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_id = "contact-window-form"
        self.helper.form_action = "interactions:contact_window_add"
        self.helper.attrs = {"novalidate": ""}
        self.helper.layout = Layout(
            InlineCheckboxes("weekdays"),
            Row(
                Column("starts_at", css_class="col-md-4"),
                Column("ends_at", css_class="col-md-4"),
            ),
            Submit("add", gettext("Add these hours")),
        )


class ConflictForm(forms.Form):
    physician = RosterLinkField(
        queryset=Physician.objects.none(),
        error_messages={
            "required": _("Choose the colleague from the search results."),
            "invalid_choice": _("That colleague is not on the roster; search again."),
        },
    )

    def __init__(self, *args, supporter: PeerSupporter, **kwargs):
        super().__init__(*args, **kwargs)
        _model_choice(self, "physician").queryset = Physician.objects.select_related(
            "department__site"
        ).exclude(pk=supporter.physician_id)


class ConflictSearchForm(forms.Form):
    q = forms.CharField(label=_("Find a colleague by name"), max_length=100, required=False)

    @property
    def query(self) -> str:
        return self.cleaned_data["q"].strip() if self.is_valid() else ""


class DebriefForm(forms.Form):
    trigger = forms.ChoiceField(choices=DebriefTrigger.choices, widget=forms.HiddenInput)
