"""The forms of the on-call calendar: a weekly shift and an exception (time off or a cover).

The person is chosen among those the one editing may put on call (everyone eligible at the
site for its coordinators and the directors, only themself for a supporter who volunteers);
the service refuses what the form cannot see (a shift that starts and ends together, a person
no longer eligible), with the message shown beside the field.
"""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row, Submit
from django import forms

from post_program.models import User

from ..models import ExceptionKind, Weekday
from .common import _model_choice

MAX_POSITION = 9


class OnCallPersonField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return obj.name or obj.email


def _person_field() -> OnCallPersonField:
    return OnCallPersonField(
        label="Person",
        queryset=User.objects.none(),
        empty_label="Choose a person",
        error_messages={
            "required": "Choose who is on call.",
            "invalid_choice": "Choose a person from the list.",
        },
    )


def _position_field() -> forms.IntegerField:
    return forms.IntegerField(
        label="Call position",
        initial=1,
        min_value=1,
        max_value=MAX_POSITION,
        help_text="1 is paged first, 2 next.",
        widget=forms.NumberInput(attrs={"min": 1, "max": MAX_POSITION}),
        error_messages={
            "required": "Enter the call position: 1 is paged first.",
            "invalid": f"Enter a whole number from 1 to {MAX_POSITION}.",
            "min_value": f"Enter a whole number from 1 to {MAX_POSITION}.",
            "max_value": f"Enter a whole number from 1 to {MAX_POSITION}.",
        },
    )


class _OnCallForm(forms.Form):
    def __init__(self, *args, people, action: str, **kwargs):
        super().__init__(*args, **kwargs)
        _model_choice(self, "user").queryset = people
        self.helper = FormHelper()
        self.helper.form_action = action
        self.helper.form_id = f"{self.prefix}-form"
        self.helper.attrs = {"novalidate": ""}


class OnCallShiftForm(_OnCallForm):
    prefix = "shift"

    user = _person_field()
    weekday = forms.TypedChoiceField(
        label="Day",
        choices=Weekday.choices,
        coerce=int,
        error_messages={
            "required": "Choose the day of the week.",
            "invalid_choice": "Choose a day of the week.",
        },
    )
    starts = forms.TimeField(
        label="From",
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={
            "required": "Enter when the shift starts.",
            "invalid": "Enter a time, e.g. 08:00.",
        },
    )
    ends = forms.TimeField(
        label="Until",
        help_text="At or before the start: the shift ends the next day.",
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={
            "required": "Enter when the shift ends.",
            "invalid": "Enter a time, e.g. 17:00.",
        },
    )
    position = _position_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.layout = Layout(
            Row(Column("user", css_class="col-md-6"), Column("weekday", css_class="col-md-6")),
            Row(
                Column("starts", css_class="col-md-4"),
                Column("ends", css_class="col-md-4"),
                Column("position", css_class="col-md-4"),
            ),
            Submit("add", "Add weekly shift", css_class="btn-primary"),
        )


class OnCallExceptionForm(_OnCallForm):
    prefix = "exception"

    user = _person_field()
    kind = forms.ChoiceField(
        label="What",
        choices=ExceptionKind.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Say whether the person is off or covering.",
            "invalid_choice": "Say whether the person is off or covering.",
        },
    )
    starts_at = forms.DateTimeField(
        label="From",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={
            "required": "Enter when it starts.",
            "invalid": "Enter a date and time, e.g. 2026-03-04 09:15.",
        },
    )
    ends_at = forms.DateTimeField(
        label="Until",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={
            "required": "Enter when it ends.",
            "invalid": "Enter a date and time, e.g. 2026-03-04 17:00.",
        },
    )
    position = _position_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["position"].help_text = "For a cover: 1 is paged first."
        self.helper.layout = Layout(
            Row(Column("user", css_class="col-md-6"), Column("kind", css_class="col-md-6")),
            Row(
                Column("starts_at", css_class="col-md-4"),
                Column("ends_at", css_class="col-md-4"),
                Column("position", css_class="col-md-4"),
            ),
            Submit("add", "Add time off or cover", css_class="btn-primary"),
        )
