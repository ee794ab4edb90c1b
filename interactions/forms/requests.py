"""Asking for support: the request form, its roster search, difficult events and calls a
coordinator takes, and the supporter directory's filter."""

from __future__ import annotations

import uuid
from datetime import timedelta

from crispy_forms.bootstrap import InlineRadios
from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Column, Div, Fieldset, Layout, Row, Submit
from django import forms
from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from post_program.forms import filter_helper
from post_program.models import Department, PeerSupporter, Physician

from ..models import (
    CALLER_CONTACT_MAX_LENGTH,
    NOTE_MAX_LENGTH,
    CallerRole,
    ContactMethod,
    DepartmentPreference,
    EventCategory,
    IntakeChannel,
    Reason,
    Source,
    Urgency,
)
from .common import (
    SupporterChoiceField,
    _has_letter,
    _model_choice,
)

FOR_WHOM = [("self", _("Myself")), ("colleague", _("A colleague"))]
MAX_EVENT_PHYSICIANS = 200
EVENT_MAX_AGE_DAYS = 365


class ReferralRequestForm(forms.Form):
    """ "Request peer support": for oneself or a colleague (found on the roster, or named with
    a department when not on it)."""

    for_whom = forms.ChoiceField(
        label=_("Who needs support?"),
        choices=FOR_WHOM,
        widget=forms.RadioSelect,
        error_messages={"required": _("Say whether the support is for you or for a colleague.")},
    )
    colleague = forms.ModelChoiceField(
        queryset=Physician.objects.none(),
        required=False,
        widget=forms.HiddenInput,
        error_messages={
            "invalid_choice": _(
                "That colleague is not on the current roster. Search again, or "
                "tick “not on the list” and give their name and department."
            )
        },
    )
    colleague_not_listed = forms.BooleanField(
        label=_("My colleague is not on the list"), required=False
    )
    colleague_name = forms.CharField(label=_("Colleague's name"), max_length=200, required=False)
    colleague_department = forms.ModelChoiceField(
        label=_("Colleague's department"),
        queryset=Department.objects.none(),
        required=False,
        empty_label=_("Choose a department"),
        error_messages={"invalid_choice": _("Choose a department from the list.")},
    )
    reason = forms.ChoiceField(
        label=_("What happened (category)"),
        choices=[("", _("Choose a category")), *Reason.choices],
        error_messages={"required": _("Choose the category closest to what happened.")},
    )
    note = forms.CharField(
        label=_("Short note (optional)"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": NOTE_MAX_LENGTH}),
        help_text=format_lazy(
            _(
                "At most {most} characters. Do not name or describe patients: no names, "
                "dates of birth, record numbers or case details."
            ),
            most=NOTE_MAX_LENGTH,
        ),
    )
    urgency = forms.ChoiceField(
        label=_("How urgent is it?"),
        choices=Urgency.choices,
        initial=Urgency.ROUTINE,
        widget=forms.RadioSelect,
    )
    contact_method = forms.ChoiceField(
        label=_("Preferred way to be contacted"),
        choices=ContactMethod.choices,
        initial=ContactMethod.ANY,
    )
    department_preference = forms.ChoiceField(
        label=_("Supporter's department"),
        choices=DepartmentPreference.choices,
        initial=DepartmentPreference.NONE,
        widget=forms.RadioSelect,
    )
    requested_supporter = SupporterChoiceField(
        label=_("A particular supporter (optional)"),
        queryset=PeerSupporter.objects.none(),
        required=False,
        empty_label=_("No particular supporter"),
        help_text=_("From the supporter directory. The coordinators will ask them first."),
        error_messages={"invalid_choice": _("That supporter is not available; choose another.")},
    )
    referrer_may_be_named = forms.BooleanField(
        label=_("My colleague may be told that I asked for support for them"),
        required=False,
        help_text=_("If you leave this unticked, your name is not given to your colleague."),
    )
    anonymous = forms.BooleanField(
        label=_("Ask anonymously: the program will not know that I asked"),
        required=False,
        help_text=_(
            "Nobody, not even the coordinators, can tell who asked. You get a receipt "
            "code to follow the request, instead of finding it under My requests."
        ),
    )
    submission_key = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, requester: Physician, anonymity: bool = False, **kwargs):
        """``anonymity``: the director allows colleagues to be referred anonymously."""
        super().__init__(*args, **kwargs)
        self.requester = requester
        if not anonymity:
            del self.fields["anonymous"]
        _model_choice(self, "colleague").queryset = Physician.objects.employed_on(
            timezone.localdate()
        ).select_related("department__site")
        departments = Department.objects.select_related("site")
        _model_choice(self, "colleague_department").queryset = departments
        supporters = PeerSupporter.objects.active().select_related("physician__department__site")
        _model_choice(self, "requested_supporter").queryset = supporters
        if not self.is_bound:
            self.initial.setdefault("submission_key", uuid.uuid4())
        self.helper = FormHelper()
        self.helper.form_id = "referral-request-form"
        self.helper.attrs = {"novalidate": ""}
        self.helper.layout = Layout(
            Fieldset(
                gettext("Who needs support"),
                InlineRadios("for_whom"),
                Div(
                    HTML('{% include "interactions/partials/_colleague_picker.html" %}'),
                    css_id="colleague-fields",
                ),
            ),
            Fieldset(gettext("What happened"), "reason", "note"),
            Fieldset(
                gettext("Urgency"),
                "urgency",
                HTML('{% include "interactions/partials/_crisis_now.html" %}'),
            ),
            Fieldset(
                gettext("Preferences"),
                "contact_method",
                InlineRadios("department_preference"),
                "requested_supporter",
                Div(
                    "referrer_may_be_named",
                    *(["anonymous"] if anonymity else []),
                    css_id="referrer-consent",
                ),
            ),
            "submission_key",
            Submit("send", gettext("Send request"), css_class="btn-primary"),
        )

    def clean_colleague_name(self) -> str:
        name = self.cleaned_data["colleague_name"].strip()
        if name and not _has_letter(name):
            raise forms.ValidationError(gettext("Enter your colleague's name."))
        return name

    def clean(self):
        cleaned = super().clean()
        cleaned["anonymous"] = bool(cleaned.get("anonymous")) and (
            cleaned.get("for_whom") == "colleague"
        )
        if cleaned["anonymous"]:
            cleaned["referrer_may_be_named"] = False
        if cleaned.get("for_whom") == "self":
            cleaned["physician"] = self.requester
            cleaned["department"] = self.requester.department
            cleaned["source"] = Source.SELF
            cleaned["colleague_name"] = ""
            cleaned["referrer_may_be_named"] = False
        elif cleaned.get("for_whom") == "colleague":
            cleaned["source"] = Source.THIRD_PARTY
            self._clean_colleague(cleaned)
        person = cleaned.get("physician")
        supporter = cleaned.get("requested_supporter")
        if person is not None and supporter is not None and supporter.physician_id == person.pk:
            self.add_error(
                "requested_supporter",
                gettext("The person to be supported cannot be their own supporter."),
            )
        return cleaned

    def _clean_colleague(self, cleaned: dict) -> None:
        if cleaned.get("colleague_not_listed"):
            if not cleaned.get("colleague_name") and "colleague_name" not in self.errors:
                self.add_error("colleague_name", gettext("Enter your colleague's name."))
            if not cleaned.get("colleague_department") and "colleague_department" not in (
                self.errors
            ):
                self.add_error(
                    "colleague_department", gettext("Choose your colleague's department.")
                )
            cleaned["physician"] = None
            cleaned["department"] = cleaned.get("colleague_department")
            return
        colleague = cleaned.get("colleague")
        if colleague is None:
            if "colleague" not in self.errors:
                self.add_error(
                    "colleague",
                    gettext(
                        "Find your colleague by name and choose them, or tick “not on the list”."
                    ),
                )
            return
        if colleague.pk == self.requester.pk:
            self.add_error("colleague", gettext("That is you: choose “Myself” instead."))
            return
        cleaned["physician"] = colleague
        cleaned["department"] = colleague.department
        cleaned["colleague_name"] = ""


class _DepartmentRosterForm(forms.Form):
    """A form whose ``department`` choice reloads a roster field (its element ``roster_id``)
    from its own page (the URL named ``roster_page``) with htmx."""

    roster_id: str
    roster_page: str

    def _department_roster(self, field: str, departments) -> None:
        """Limit ``field`` to the current roster of the department chosen (none until one is
        chosen), and reload it when the department changes."""
        department = self._chosen_department(departments)
        roster = Physician.objects.employed_on(timezone.localdate()).order_by("name", "pk")
        _model_choice(self, field).queryset = (
            roster.filter(department=department) if department else roster.none()
        )
        self.fields["department"].widget.attrs.update(
            {
                "hx-get": reverse(self.roster_page),
                "hx-target": f"#{self.roster_id}",
                "hx-select": f"#{self.roster_id}",
                "hx-swap": "outerHTML",
            }
        )

    def _chosen_department(self, departments):
        value = self.data.get("department") if self.is_bound else self.initial.get("department")
        if isinstance(value, Department):
            return value
        try:
            return departments.filter(pk=int(value)).first() if value else None
        except (TypeError, ValueError):
            return None


ASKED = ("source", "department", "physician", "reason", "note", "urgency", "contact_method")
"""What every request form asks, under the names ``services.referral_request`` takes."""


def asked(cleaned: dict) -> dict:
    """The values of ``ASKED`` in a request form's cleaned data."""
    return {name: cleaned[name] for name in ASKED}


_ASKED = ReferralRequestForm.base_fields
"""The request form's fields a call asks too, with the same labels and messages."""


class CallForm(_DepartmentRosterForm):
    """A request for support a coordinator takes from someone who calls or writes (a nurse, a
    chief, a risk manager, the physician themself): the caller described by role, never by
    name, and a physician on the roster or named with their department."""

    roster_id = "call-physician"
    roster_page = "interactions:call_record"

    channel = forms.ChoiceField(
        label=_("How did the request come?"),
        choices=IntakeChannel.choices,
        initial=IntakeChannel.PHONE,
        widget=forms.RadioSelect,
        error_messages={"required": _("Say whether the request came by phone or by email.")},
    )
    caller_role = forms.ChoiceField(
        label=_("Who asked?"),
        choices=[("", _("Choose who asked")), *CallerRole.choices],
        error_messages={"required": _("Say who asked, by their role.")},
    )
    caller_contact = forms.CharField(
        label=_("How to reach the caller (optional)"),
        max_length=CALLER_CONTACT_MAX_LENGTH,
        required=False,
        help_text=_(
            "A phone number or an email, if the team may need to call back. Only "
            "coordinators see it; it is never shown to the physician or the supporter."
        ),
    )
    department = forms.ModelChoiceField(
        label=_("The physician's department"),
        queryset=Department.objects.none(),
        empty_label=_("Choose a department"),
        error_messages={
            "required": _("Choose the physician's department."),
            "invalid_choice": _("Choose one of your sites' departments."),
        },
    )
    physician = forms.ModelChoiceField(
        label=_("The physician, on the roster"),
        queryset=Physician.objects.none(),
        required=False,
        empty_label=_("Not on the roster: give the name below"),
        error_messages={"invalid_choice": _("Choose a physician of the department's roster.")},
    )
    named_colleague = forms.CharField(
        label=_("Name, if not on the roster (a locum, a resident rotating in)"),
        max_length=200,
        required=False,
    )
    reason = _ASKED["reason"]
    note = _ASKED["note"]
    urgency = _ASKED["urgency"]
    contact_method = _ASKED["contact_method"]
    submission_key = _ASKED["submission_key"]

    def __init__(self, *args, departments, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("submission_key", uuid.uuid4())
        _model_choice(self, "department").queryset = departments
        self._department_roster("physician", departments)
        self.helper = FormHelper()
        self.helper.form_id = "call-form"
        self.helper.attrs = {"novalidate": ""}
        self.helper.layout = Layout(
            Fieldset(
                gettext("Who asked"), InlineRadios("channel"), "caller_role", "caller_contact"
            ),
            Fieldset(
                gettext("Who needs support"),
                "department",
                Div("physician", css_id=self.roster_id),
                "named_colleague",
            ),
            Fieldset(gettext("What happened"), "reason", "note"),
            Fieldset(
                gettext("Urgency"),
                "urgency",
                HTML('{% include "interactions/partials/_crisis_now.html" %}'),
            ),
            "contact_method",
            "submission_key",
            Submit("record", gettext("Record the request"), css_class="btn-primary"),
        )

    def clean(self):
        cleaned = super().clean()
        name = cleaned.get("named_colleague", "").strip()
        if cleaned.get("physician") is not None:
            cleaned["named_colleague"] = ""
        elif not _has_letter(name) and "physician" not in self.errors:
            self.add_error(
                "named_colleague",
                gettext(
                    "Choose the physician from the roster, or give their name if they are not "
                    "on it."
                ),
            )
        cleaned["source"] = (
            Source.SELF if cleaned.get("caller_role") == CallerRole.SELF else Source.THIRD_PARTY
        )
        return cleaned


class RosterSearchForm(forms.Form):
    """The colleague search box (htmx): text a database can hold, or no search at all."""

    colleague_search = forms.CharField(max_length=100, required=False)

    @property
    def query(self) -> str:
        return self.cleaned_data["colleague_search"] if self.is_valid() else ""


class EventForm(_DepartmentRosterForm):
    """A difficult event and the physicians involved (one referral each)."""

    roster_id = "event-physicians"
    roster_page = "interactions:event_record"

    occurred_on = forms.DateField(
        label=_("Date of the event"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Enter a date as YYYY-MM-DD.")},
    )
    department = forms.ModelChoiceField(
        label=_("Department"),
        queryset=Department.objects.none(),
        empty_label=_("Choose a department"),
        error_messages={"invalid_choice": _("Choose one of your sites' departments.")},
    )
    category = forms.ChoiceField(
        label=_("Category"),
        choices=[("", _("Choose a category")), *EventCategory.choices],
        error_messages={"required": _("Choose the kind of event.")},
    )
    physicians = forms.ModelMultipleChoiceField(
        label=_("Physicians involved"),
        queryset=Physician.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Choose at least one physician involved."),
            "invalid_choice": _("Choose physicians from the department's current roster."),
            "invalid_pk_value": _("Choose physicians from the department's current roster."),
        },
    )

    def __init__(self, *args, departments, **kwargs):
        super().__init__(*args, **kwargs)
        _model_choice(self, "department").queryset = departments
        self._department_roster("physicians", departments)
        self.helper = FormHelper()
        self.helper.form_id = "event-form"
        self.helper.attrs = {"novalidate": ""}
        self.helper.layout = Layout(
            Row(
                Column("occurred_on", css_class="col-md-3"),
                Column("department", css_class="col-md-5"),
                Column("category", css_class="col-md-4"),
            ),
            Div("physicians", css_id=self.roster_id),
            Submit("record", gettext("Record event and open referrals")),
        )

    def clean_occurred_on(self):
        occurred_on = self.cleaned_data["occurred_on"]
        today = timezone.localdate()
        if occurred_on > today:
            raise forms.ValidationError(gettext("The event cannot be in the future."))
        if occurred_on < today - timedelta(days=EVENT_MAX_AGE_DAYS):
            raise forms.ValidationError(gettext("Record events of the past year only."))
        return occurred_on

    def recorded(self) -> dict:
        """The cleaned values under the names ``services.event_record`` takes."""
        return {
            name: self.cleaned_data[name]
            for name in ("occurred_on", "department", "category", "physicians")
        }

    def clean_physicians(self):
        physicians = self.cleaned_data["physicians"]
        if len(physicians) > MAX_EVENT_PHYSICIANS:
            raise forms.ValidationError(
                gettext("Choose at most %(most)s physicians per event.")
                % {"most": MAX_EVENT_PHYSICIANS}
            )
        return physicians


class EventIntakeForm(EventForm):
    """The event form as an integration fills it (the REST API): the physicians involved by
    their roster id (`physician_id`) rather than by the page's checkbox values."""

    def __init__(self, *args, departments, **kwargs):
        super().__init__(*args, departments=departments, **kwargs)
        _model_choice(self, "physicians").to_field_name = "physician_id"


class DirectoryFilterForm(forms.Form):
    department = forms.ModelChoiceField(
        label=_("Department"),
        queryset=Department.objects.none(),
        required=False,
        empty_label=_("All departments"),
    )

    def __init__(self, *args, departments, **kwargs):
        super().__init__(*args, **kwargs)
        _model_choice(self, "department").queryset = departments
        self.helper = filter_helper(("department", "col-md-6"))


class ReceiptForm(forms.Form):
    """The receipt code of a request made anonymously."""

    code = forms.CharField(
        label=_("Receipt code"),
        max_length=40,
        help_text=_(
            "The code you were given when you sent the request, such as ABCD-EFGH-JKLM-NPQR."
        ),
        error_messages={"required": _("Enter the receipt code you were given.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
