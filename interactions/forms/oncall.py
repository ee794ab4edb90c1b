"""The forms of the on-call calendar: a weekly shift and an exception (time off or a cover).

The person is chosen among those the one editing may put on call (everyone eligible at the
site for its coordinators and the directors, only themself for a supporter who volunteers);
the service refuses what the form cannot see (a shift that starts and ends together, a person
no longer eligible), with the message shown beside the field.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row, Submit
from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from post_program.models import User

from ..models import ExceptionKind, Weekday
from .common import _model_choice

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

MAX_POSITION = 9


class OnCallPersonField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return obj.name or obj.email


def _person_field() -> OnCallPersonField:
    return OnCallPersonField(
        label=_("Person"),
        queryset=User.objects.none(),
        empty_label=_("Choose a person"),
        error_messages={
            "required": _("Choose who is on call."),
            "invalid_choice": _("Choose a person from the list."),
        },
    )


def _position_field(help_text: StrOrPromise) -> forms.IntegerField:
    whole_number = format_lazy(_("Enter a whole number from 1 to {most}."), most=MAX_POSITION)
    return forms.IntegerField(
        label=_("Call position"),
        initial=1,
        min_value=1,
        max_value=MAX_POSITION,
        help_text=help_text,
        widget=forms.NumberInput(attrs={"min": 1, "max": MAX_POSITION}),
        error_messages={
            "required": _("Enter the call position: 1 is paged first."),
            "invalid": whole_number,
            "min_value": whole_number,
            "max_value": whole_number,
        },
    )


def _time_field(
    label: StrOrPromise, *, required: StrOrPromise, example: str, **options
) -> forms.TimeField:
    return forms.TimeField(
        label=label,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={
            "required": required,
            "invalid": format_lazy(_("Enter a time, e.g. {example}."), example=example),
        },
        **options,
    )


def _moment_field(
    label: StrOrPromise, *, required: StrOrPromise, example: str
) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={
            "required": required,
            "invalid": format_lazy(_("Enter a date and time, e.g. {example}."), example=example),
        },
    )


class _OnCallForm(forms.Form):
    """Who and what on the first row, when and the position on the second, then the button."""

    first_row: tuple[str, str] = ("user", "")
    submit_label: StrOrPromise = ""

    def __init__(self, *args, people, action: str, **kwargs):
        super().__init__(*args, **kwargs)
        _model_choice(self, "user").queryset = people
        when = [name for name in self.fields if name not in self.first_row]
        self.helper = FormHelper()
        self.helper.form_action = action
        self.helper.form_id = f"{self.prefix}-form"
        self.helper.attrs = {"novalidate": ""}
        self.helper.layout = Layout(
            Row(*(Column(name, css_class="col-md-6") for name in self.first_row)),
            Row(*(Column(name, css_class="col-md-4") for name in when)),
            Submit("add", self.submit_label, css_class="btn-primary"),
        )


class OnCallShiftForm(_OnCallForm):
    prefix = "shift"
    first_row = ("user", "weekday")
    submit_label = _("Add weekly shift")

    user = _person_field()
    weekday = forms.TypedChoiceField(
        label=_("Day"),
        choices=Weekday.choices,
        coerce=int,
        error_messages={
            "required": _("Choose the day of the week."),
            "invalid_choice": _("Choose a day of the week."),
        },
    )
    starts = _time_field(_("From"), required=_("Enter when the shift starts."), example="08:00")
    ends = _time_field(
        _("Until"),
        required=_("Enter when the shift ends."),
        example="17:00",
        help_text=_("At or before the start: the shift ends the next day."),
    )
    position = _position_field(_("1 is paged first, 2 next."))


class OnCallExceptionForm(_OnCallForm):
    prefix = "exception"
    first_row = ("user", "kind")
    submit_label = _("Add time off or cover")

    user = _person_field()
    kind = forms.ChoiceField(
        label=_("What"),
        choices=ExceptionKind.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Say whether the person is off or covering."),
            "invalid_choice": _("Say whether the person is off or covering."),
        },
    )
    starts_at = _moment_field(
        _("From"), required=_("Enter when it starts."), example="2026-03-04 09:15"
    )
    ends_at = _moment_field(
        _("Until"), required=_("Enter when it ends."), example="2026-03-04 17:00"
    )
    position = _position_field(_("For a cover: 1 is paged first."))
