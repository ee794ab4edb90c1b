"""Working a case: outreach attempts, the interaction log and closing."""

from __future__ import annotations

from crispy_forms.bootstrap import InlineRadios
from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Column, Div, Fieldset, Layout, Row, Submit
from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from post_program.models import Department, PeerSupporter, Physician

from ..models import (
    FOLLOW_UP_NOTE_MAX_LENGTH,
    MAX_DURATION_MINUTES,
    EscalationResource,
    Modality,
    Outcome,
    OutreachMethod,
    Topic,
)
from ..services import (
    ESCALATED_WITHOUT_RESOURCE,
    close_errors,
    interaction_errors,
    outreach_errors,
)
from .common import (
    YES_NO,
    _model_choice,
    _yes_no,
)


class OutreachForm(forms.Form):
    """An attempt to reach the physician of a case: when, how, reached or not."""

    attempted_at = forms.DateTimeField(
        label=_("When"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={
            "required": _("Say when you tried to reach them."),
            "invalid": _("Enter a date and time, e.g. 2026-03-04 09:15."),
        },
    )
    method = forms.ChoiceField(
        label=_("How"),
        choices=[("", _("Choose how")), *OutreachMethod.choices],
        error_messages={
            "required": _("Choose how you tried to reach them."),
            "invalid_choice": _("Choose how you tried to reach them from the list."),
        },
    )
    reached = forms.TypedChoiceField(
        label=_("Did you reach them?"),
        choices=YES_NO,
        coerce=_yes_no,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Say whether you reached them."),
            "invalid_choice": _("Say whether you reached them."),
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
        label=_("Date"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={
            "required": _("Enter the date of the interaction."),
            "invalid": _("Enter a date as YYYY-MM-DD."),
        },
    )
    successful = forms.TypedChoiceField(
        label=_("Did a support conversation take place?"),
        choices=YES_NO,
        coerce=_yes_no,
        widget=forms.RadioSelect,
        help_text=_(
            "No: you tried, but there was no conversation (log it with 0 minutes or the "
            "time it took)."
        ),
        error_messages={
            "required": _("Say whether a support conversation took place."),
            "invalid_choice": _("Say whether a support conversation took place."),
        },
    )
    duration_minutes = forms.IntegerField(
        label=_("Duration in minutes"),
        widget=forms.NumberInput(attrs={"min": 0, "max": MAX_DURATION_MINUTES, "step": 1}),
        error_messages={
            "required": _("Enter the duration in whole minutes."),
            "invalid": _("Enter the duration in whole minutes, e.g. 45."),
        },
    )
    modality = forms.ChoiceField(
        label=_("How you talked"),
        choices=Modality.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose how you talked."),
            "invalid_choice": _("Choose how you talked from the list."),
        },
    )
    topics = forms.MultipleChoiceField(
        label=_("Topics"),
        choices=Topic.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Categories only: no narrative, no patient details."),
        error_messages={"invalid_choice": _("Choose topics from the list.")},
    )
    escalated = forms.BooleanField(label=_("I pointed them to professional help"), required=False)
    escalated_to = forms.ChoiceField(
        label=_("Which resource"),
        choices=[("", _("None")), *EscalationResource.choices],
        required=False,
        error_messages={"invalid_choice": _("Choose the resource from the list.")},
    )
    follow_up_planned = forms.BooleanField(label=_("A follow-up is planned"), required=False)
    follow_up_note = forms.CharField(
        label=_("Private follow-up note (optional)"),
        required=False,
        max_length=FOLLOW_UP_NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": FOLLOW_UP_NOTE_MAX_LENGTH}),
        help_text=_(
            "Only you see this, e.g. “call again on Friday”. It is deleted when the case "
            "is de-identified. No clinical narrative, no patient details."
        ),
    )
    colleague = RosterLinkField(
        queryset=Physician.objects.none(),
        required=False,
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": _("That colleague is not on the roster; search again.")},
    )
    department = forms.ModelChoiceField(
        label=_("The physician's department"),
        queryset=Department.objects.none(),
        required=False,
        empty_label=_("Choose a department"),
        error_messages={"invalid_choice": _("Choose a department from the list.")},
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
                    gettext("Who"),
                    HTML('{% include "interactions/partials/_roster_link.html" %}'),
                    "department",
                )
            )
        self.helper = FormHelper()
        self.helper.form_id = "interaction-form"
        self.helper.attrs = {"novalidate": ""}
        self.helper.layout = Layout(
            *who,
            Fieldset(gettext("When"), Row(Column("occurred_on", css_class="col-md-4"))),
            Fieldset(
                gettext("The conversation"),
                InlineRadios("successful"),
                Row(Column("duration_minutes", css_class="col-md-4")),
                InlineRadios("modality"),
                Div("topics", css_id="interaction-topics"),
            ),
            Fieldset(
                gettext("Professional help and follow-up"),
                "escalated",
                Row(Column("escalated_to", css_class="col-md-6")),
                "follow_up_planned",
                "follow_up_note",
            ),
            Submit("log", gettext("Log interaction"), css_class="btn-primary"),
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
                    gettext("Choose the physician's department (or find them on the roster)."),
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
    (Outcome.SUPPORTED, _("Supported: we had a support conversation")),
    (Outcome.REFERRED_OUT, _("Referred to professional care")),
    (Outcome.DECLINED, _("They did not want support")),
    (Outcome.UNREACHABLE, _("Unreachable: my attempts did not reach them")),
]


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=CLOSE_OUTCOMES,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose an outcome."),
            "invalid_choice": _("Choose an outcome from the list."),
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
