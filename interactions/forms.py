"""Forms of the referral pages: input checking with a clear message for every field."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import cast

from crispy_forms.bootstrap import InlineRadios
from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Column, Div, Fieldset, Layout, Row, Submit
from django import forms
from django.urls import reverse
from django.utils import timezone

from post_program.forms import filter_helper
from post_program.models import Department, PeerSupporter, Physician, Site

from .models import (
    FOLLOW_UP_NOTE_MAX_LENGTH,
    HANDOFF_NOTE_MAX_LENGTH,
    MAX_DURATION_MINUTES,
    NOTE_MAX_LENGTH,
    ContactMethod,
    DebriefTrigger,
    DeclineReason,
    DepartmentPreference,
    EscalationResource,
    EventCategory,
    Modality,
    Outcome,
    OutreachMethod,
    Reason,
    Source,
    Topic,
    Urgency,
)
from .services import (
    ESCALATED_WITHOUT_RESOURCE,
    HANDOFF_NOTE_ADVICE,
    close_errors,
    interaction_errors,
    outreach_errors,
)

FOR_WHOM = [("self", "Myself"), ("colleague", "A colleague")]
MAX_EVENT_PHYSICIANS = 200
EVENT_MAX_AGE_DAYS = 365


def _model_choice(form: forms.BaseForm, name: str) -> forms.ModelChoiceField:
    """A declared model choice field of `form`, to set its queryset: `form.fields` holds copies
    of the declared fields, which the stubs can only type as plain `Field`s."""
    return cast(forms.ModelChoiceField, form.fields[name])


def _supporter_label(supporter: PeerSupporter) -> str:
    physician = supporter.physician
    return f"{physician.name or physician.physician_id} — {physician.department}"


class SupporterChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: PeerSupporter) -> str:
        return _supporter_label(obj)


def _has_letter(value: str) -> bool:
    return any(character.isalpha() for character in value)


class ReferralRequestForm(forms.Form):
    """ "Request peer support": for oneself or a colleague (found on the roster, or named with
    a department when not on it)."""

    for_whom = forms.ChoiceField(
        label="Who needs support?",
        choices=FOR_WHOM,
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether the support is for you or for a colleague."},
    )
    colleague = forms.ModelChoiceField(
        queryset=Physician.objects.none(),
        required=False,
        widget=forms.HiddenInput,
        error_messages={
            "invalid_choice": "That colleague is not on the current roster. Search again, or "
            "tick “not on the list” and give their name and department."
        },
    )
    colleague_not_listed = forms.BooleanField(
        label="My colleague is not on the list", required=False
    )
    colleague_name = forms.CharField(label="Colleague's name", max_length=200, required=False)
    colleague_department = forms.ModelChoiceField(
        label="Colleague's department",
        queryset=Department.objects.none(),
        required=False,
        empty_label="Choose a department",
        error_messages={"invalid_choice": "Choose a department from the list."},
    )
    reason = forms.ChoiceField(
        label="What happened (category)",
        choices=[("", "Choose a category"), *Reason.choices],
        error_messages={"required": "Choose the category closest to what happened."},
    )
    note = forms.CharField(
        label="Short note (optional)",
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": NOTE_MAX_LENGTH}),
        help_text=(
            f"At most {NOTE_MAX_LENGTH} characters. Do not name or describe patients: no names, "
            "dates of birth, record numbers or case details."
        ),
    )
    urgency = forms.ChoiceField(
        label="How urgent is it?",
        choices=Urgency.choices,
        initial=Urgency.ROUTINE,
        widget=forms.RadioSelect,
    )
    contact_method = forms.ChoiceField(
        label="Preferred way to be contacted",
        choices=ContactMethod.choices,
        initial=ContactMethod.ANY,
    )
    department_preference = forms.ChoiceField(
        label="Supporter's department",
        choices=DepartmentPreference.choices,
        initial=DepartmentPreference.NONE,
        widget=forms.RadioSelect,
    )
    requested_supporter = SupporterChoiceField(
        label="A particular supporter (optional)",
        queryset=PeerSupporter.objects.none(),
        required=False,
        empty_label="No particular supporter",
        help_text="From the supporter directory. The coordinators will ask them first.",
        error_messages={"invalid_choice": "That supporter is not available; choose another."},
    )
    referrer_may_be_named = forms.BooleanField(
        label="My colleague may be told that I asked for support for them",
        required=False,
        help_text="If you leave this unticked, your name is not given to your colleague.",
    )
    submission_key = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, requester: Physician, **kwargs):
        super().__init__(*args, **kwargs)
        self.requester = requester
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
                "Who needs support",
                InlineRadios("for_whom"),
                Div(
                    HTML('{% include "interactions/partials/_colleague_picker.html" %}'),
                    css_id="colleague-fields",
                ),
            ),
            Fieldset("What happened", "reason", "note"),
            Fieldset(
                "Urgency",
                "urgency",
                HTML('{% include "interactions/partials/_crisis_now.html" %}'),
            ),
            Fieldset(
                "Preferences",
                "contact_method",
                InlineRadios("department_preference"),
                "requested_supporter",
                Div("referrer_may_be_named", css_id="referrer-consent"),
            ),
            "submission_key",
            Submit("send", "Send request", css_class="btn-primary"),
        )

    def clean_colleague_name(self) -> str:
        name = self.cleaned_data["colleague_name"].strip()
        if name and not _has_letter(name):
            raise forms.ValidationError("Enter your colleague's name.")
        return name

    def clean(self):
        cleaned = super().clean()
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
                "requested_supporter", "The person to be supported cannot be their own supporter."
            )
        return cleaned

    def _clean_colleague(self, cleaned: dict) -> None:
        if cleaned.get("colleague_not_listed"):
            if not cleaned.get("colleague_name") and "colleague_name" not in self.errors:
                self.add_error("colleague_name", "Enter your colleague's name.")
            if not cleaned.get("colleague_department") and "colleague_department" not in (
                self.errors
            ):
                self.add_error("colleague_department", "Choose your colleague's department.")
            cleaned["physician"] = None
            cleaned["department"] = cleaned.get("colleague_department")
            return
        colleague = cleaned.get("colleague")
        if colleague is None:
            if "colleague" not in self.errors:
                self.add_error(
                    "colleague",
                    "Find your colleague by name and choose them, or tick “not on the list”.",
                )
            return
        if colleague.pk == self.requester.pk:
            self.add_error("colleague", "That is you: choose “Myself” instead.")
            return
        cleaned["physician"] = colleague
        cleaned["department"] = colleague.department
        cleaned["colleague_name"] = ""


class RosterSearchForm(forms.Form):
    """The colleague search box (htmx): text a database can hold, or no search at all."""

    colleague_search = forms.CharField(max_length=100, required=False)

    @property
    def query(self) -> str:
        return self.cleaned_data["colleague_search"] if self.is_valid() else ""


class EventForm(forms.Form):
    """A difficult event and the physicians involved (one referral each)."""

    occurred_on = forms.DateField(
        label="Date of the event",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Enter a date as YYYY-MM-DD."},
    )
    department = forms.ModelChoiceField(
        queryset=Department.objects.none(),
        empty_label="Choose a department",
        error_messages={"invalid_choice": "Choose one of your sites' departments."},
    )
    category = forms.ChoiceField(
        choices=[("", "Choose a category"), *EventCategory.choices],
        error_messages={"required": "Choose the kind of event."},
    )
    physicians = forms.ModelMultipleChoiceField(
        label="Physicians involved",
        queryset=Physician.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Choose at least one physician involved.",
            "invalid_choice": "Choose physicians from the department's current roster.",
            "invalid_pk_value": "Choose physicians from the department's current roster.",
        },
    )

    def __init__(self, *args, departments, **kwargs):
        super().__init__(*args, **kwargs)
        _model_choice(self, "department").queryset = departments
        department = self._chosen_department(departments)
        roster = Physician.objects.employed_on(timezone.localdate()).order_by("name", "pk")
        _model_choice(self, "physicians").queryset = (
            roster.filter(department=department) if department else roster.none()
        )
        self.helper = FormHelper()
        self.helper.form_id = "event-form"
        self.helper.attrs = {"novalidate": ""}
        self.helper.layout = Layout(
            Row(
                Column("occurred_on", css_class="col-md-3"),
                Column("department", css_class="col-md-5"),
                Column("category", css_class="col-md-4"),
            ),
            Div("physicians", css_id="event-physicians"),
            Submit("record", "Record event and open referrals"),
        )
        self.fields["department"].widget.attrs.update(
            {
                "hx-get": reverse("interactions:event_record"),
                "hx-target": "#event-physicians",
                "hx-select": "#event-physicians",
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

    def clean_occurred_on(self):
        occurred_on = self.cleaned_data["occurred_on"]
        today = timezone.localdate()
        if occurred_on > today:
            raise forms.ValidationError("The event cannot be in the future.")
        if occurred_on < today - timedelta(days=EVENT_MAX_AGE_DAYS):
            raise forms.ValidationError("Record events of the past year only.")
        return occurred_on

    def clean_physicians(self):
        physicians = self.cleaned_data["physicians"]
        if len(physicians) > MAX_EVENT_PHYSICIANS:
            raise forms.ValidationError(
                f"Choose at most {MAX_EVENT_PHYSICIANS} physicians per event."
            )
        return physicians


class AssignForm(forms.Form):
    supporter = SupporterChoiceField(
        queryset=PeerSupporter.objects.none(),
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose a supporter from the suggestions.",
            "invalid_choice": "That supporter is not among the suggestions any more.",
        },
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        _model_choice(self, "supporter").queryset = PeerSupporter.objects.filter(
            pk__in=[candidate.supporter.pk for candidate in candidates]
        )


class DeclineForm(forms.Form):
    reason = forms.ChoiceField(
        label="Why are you declining?",
        choices=DeclineReason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a reason."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class HandoffNoteForm(forms.Form):
    """The note the case's supporter keeps for whoever takes the case next (empty: none)."""

    prefix = "handoff"
    handoff_note = forms.CharField(
        label="Note for the next supporter (optional)",
        required=False,
        max_length=HANDOFF_NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=HANDOFF_NOTE_ADVICE,
        error_messages={
            "max_length": f"Keep the note to {HANDOFF_NOTE_MAX_LENGTH} characters "
            "(it has %(show_value)d)."
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class HandBackForm(HandoffNoteForm):
    """The supporter gives back a case they accepted, with the note if they like."""

    prefix = "hand_back"
    field_order = ["reason", "handoff_note"]
    reason = forms.ChoiceField(
        label="Why are you handing this case back?",
        choices=DeclineReason.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose a reason.",
            "invalid_choice": "Choose a reason from the list.",
        },
    )


class QueueFilterForm(forms.Form):
    site = forms.ModelChoiceField(
        queryset=Site.objects.none(), required=False, empty_label="All my sites"
    )
    status = forms.ChoiceField(
        required=False,
        choices=[
            ("open", "Open"),
            ("new", "New"),
            ("assigned", "Assigned"),
            ("accepted", "Accepted"),
            ("contacted", "Contacted"),
            ("closed", "Closed"),
            ("all", "All"),
        ],
    )
    overdue = forms.BooleanField(label="Overdue only", required=False)

    def __init__(self, *args, sites, **kwargs):
        super().__init__(*args, **kwargs)
        _model_choice(self, "site").queryset = sites
        self.helper = filter_helper(
            ("site", "col-md-4"), ("status", "col-md-3"), ("overdue", "col-md-2 pt-md-4")
        )


class DirectoryFilterForm(forms.Form):
    department = forms.ModelChoiceField(
        queryset=Department.objects.none(), required=False, empty_label="All departments"
    )

    def __init__(self, *args, departments, **kwargs):
        super().__init__(*args, **kwargs)
        _model_choice(self, "department").queryset = departments
        self.helper = filter_helper(("department", "col-md-6"))


# --- case work ---------------------------------------------------------------------------------

YES_NO = [("yes", "Yes"), ("no", "No")]


def _yes_no(value) -> bool | None:
    return {"yes": True, "no": False}.get(value)


class OutreachForm(forms.Form):
    """An attempt to reach the physician of a case: when, how, reached or not."""

    attempted_at = forms.DateTimeField(
        label="When",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={
            "required": "Say when you tried to reach them.",
            "invalid": "Enter a date and time, e.g. 2026-03-04 09:15.",
        },
    )
    method = forms.ChoiceField(
        label="How",
        choices=[("", "Choose how"), *OutreachMethod.choices],
        error_messages={
            "required": "Choose how you tried to reach them.",
            "invalid_choice": "Choose how you tried to reach them from the list.",
        },
    )
    reached = forms.TypedChoiceField(
        label="Did you reach them?",
        choices=YES_NO,
        coerce=_yes_no,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Say whether you reached them.",
            "invalid_choice": "Say whether you reached them.",
        },
    )

    def __init__(self, *args, referral, **kwargs):
        super().__init__(*args, **kwargs)
        self.referral = referral
        if not self.is_bound:
            self.initial.setdefault(
                "attempted_at", timezone.localtime().replace(second=0, microsecond=0)
            )
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Row(
                Column("attempted_at", css_class="col-md-5"),
                Column("method", css_class="col-md-4"),
                Column(InlineRadios("reached"), css_class="col-md-3"),
            )
        )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("attempted_at") is not None and cleaned.get("reached") is not None:
            for field, message in outreach_errors(
                self.referral, attempted_at=cleaned["attempted_at"], reached=cleaned["reached"]
            ).items():
                self.add_error(field, message)
        return cleaned


class RosterLinkField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Physician) -> str:
        return f"{obj.name or obj.physician_id} — {obj.department}"


class InteractionForm(forms.Form):
    """One interaction: on a case (`referral`), or without a referral (then the physician's
    department and, optionally, their roster entry)."""

    occurred_on = forms.DateField(
        label="Date",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={
            "required": "Enter the date of the interaction.",
            "invalid": "Enter a date as YYYY-MM-DD.",
        },
    )
    successful = forms.TypedChoiceField(
        label="Did a support conversation take place?",
        choices=YES_NO,
        coerce=_yes_no,
        widget=forms.RadioSelect,
        help_text="No: you tried, but there was no conversation (log it with 0 minutes or the "
        "time it took).",
        error_messages={
            "required": "Say whether a support conversation took place.",
            "invalid_choice": "Say whether a support conversation took place.",
        },
    )
    duration_minutes = forms.IntegerField(
        label="Duration in minutes",
        widget=forms.NumberInput(attrs={"min": 0, "max": MAX_DURATION_MINUTES, "step": 1}),
        error_messages={
            "required": "Enter the duration in whole minutes.",
            "invalid": "Enter the duration in whole minutes, e.g. 45.",
        },
    )
    modality = forms.ChoiceField(
        label="How you talked",
        choices=Modality.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose how you talked.",
            "invalid_choice": "Choose how you talked from the list.",
        },
    )
    topics = forms.MultipleChoiceField(
        label="Topics",
        choices=Topic.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Categories only: no narrative, no patient details.",
        error_messages={"invalid_choice": "Choose topics from the list."},
    )
    escalated = forms.BooleanField(label="I pointed them to professional help", required=False)
    escalated_to = forms.ChoiceField(
        label="Which resource",
        choices=[("", "None"), *EscalationResource.choices],
        required=False,
        error_messages={"invalid_choice": "Choose the resource from the list."},
    )
    follow_up_planned = forms.BooleanField(label="A follow-up is planned", required=False)
    follow_up_note = forms.CharField(
        label="Private follow-up note (optional)",
        required=False,
        max_length=FOLLOW_UP_NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": FOLLOW_UP_NOTE_MAX_LENGTH}),
        help_text="Only you see this, e.g. “call again on Friday”. It is deleted when the case "
        "is de-identified. No clinical narrative, no patient details.",
    )
    colleague = RosterLinkField(
        queryset=Physician.objects.none(),
        required=False,
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": "That colleague is not on the roster; search again."},
    )
    department = forms.ModelChoiceField(
        label="The physician's department",
        queryset=Department.objects.none(),
        required=False,
        empty_label="Choose a department",
        error_messages={"invalid_choice": "Choose a department from the list."},
    )

    def __init__(self, *args, supporter: PeerSupporter, referral=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.supporter = supporter
        self.referral = referral
        if not self.is_bound:
            self.initial.setdefault("occurred_on", timezone.localdate())
        who: list[Fieldset] = []
        if referral is not None:
            del self.fields["colleague"]
            del self.fields["department"]
        else:
            # Oneself stays choosable so that the rule says why it is refused.
            _model_choice(self, "colleague").queryset = Physician.objects.select_related(
                "department__site"
            )
            _model_choice(self, "department").queryset = Department.objects.select_related("site")
            who.append(
                Fieldset(
                    "Who",
                    HTML('{% include "interactions/partials/_roster_link.html" %}'),
                    "department",
                )
            )
        self.helper = FormHelper()
        self.helper.form_id = "interaction-form"
        self.helper.attrs = {"novalidate": ""}
        self.helper.layout = Layout(
            *who,
            Fieldset("When", Row(Column("occurred_on", css_class="col-md-4"))),
            Fieldset(
                "The conversation",
                InlineRadios("successful"),
                Row(Column("duration_minutes", css_class="col-md-4")),
                InlineRadios("modality"),
                Div("topics", css_id="interaction-topics"),
            ),
            Fieldset(
                "Professional help and follow-up",
                "escalated",
                Row(Column("escalated_to", css_class="col-md-6")),
                "follow_up_planned",
                "follow_up_note",
            ),
            Submit("log", "Log interaction", css_class="btn-primary"),
        )

    def clean(self):
        cleaned = super().clean()
        physician = None
        if self.referral is not None:
            physician = self.referral.physician
        else:
            physician = cleaned.get("colleague")
            if physician is not None:
                cleaned["department"] = physician.department
            elif not cleaned.get("department") and "department" not in self.errors:
                self.add_error(
                    "department",
                    "Choose the physician's department (or find them on the roster).",
                )
        # Asked whatever else is missing, so that one round of corrections is enough.
        if cleaned.get("escalated") and not cleaned.get("escalated_to"):
            self.add_error("escalated_to", ESCALATED_WITHOUT_RESOURCE)
        needed = ("occurred_on", "duration_minutes", "successful")
        if all(cleaned.get(name) is not None for name in needed):
            errors = interaction_errors(
                supporter=self.supporter,
                occurred_on=cleaned["occurred_on"],
                duration_minutes=cleaned["duration_minutes"],
                successful=cleaned["successful"],
                escalated=cleaned.get("escalated", False),
                escalated_to=cleaned.get("escalated_to", ""),
                topics=cleaned.get("topics", []),
                modality=cleaned.get("modality", ""),
                referral=self.referral,
                physician=physician,
            )
            for field, message in errors.items():
                if field in self.fields and field not in self.errors:
                    self.add_error(field, message)
                elif field not in self.fields:
                    self.add_error(None, message)
        return cleaned


CLOSE_OUTCOMES = [
    (Outcome.SUPPORTED, "Supported: we had a support conversation"),
    (Outcome.REFERRED_OUT, "Referred to professional care"),
    (Outcome.DECLINED, "They did not want support"),
    (Outcome.UNREACHABLE, "Unreachable: my attempts did not reach them"),
]


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(
        label="Outcome",
        choices=CLOSE_OUTCOMES,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose an outcome.",
            "invalid_choice": "Choose an outcome from the list.",
        },
    )

    def __init__(self, *args, referral, **kwargs):
        super().__init__(*args, **kwargs)
        self.referral = referral
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def clean_outcome(self):
        outcome = self.cleaned_data["outcome"]
        errors = close_errors(self.referral, outcome)
        if errors:
            raise forms.ValidationError(errors["outcome"])
        return outcome


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
