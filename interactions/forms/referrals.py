"""One referral's forms for coordinators and supporters: assigning, answering an offer, the
hand-off note and handing back, and the queue's filter."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from post_program.forms import filter_helper
from post_program.models import PeerSupporter, Physician, Site

from ..models import (
    HANDOFF_NOTE_MAX_LENGTH,
    DeclineReason,
)
from ..services import (
    HANDOFF_NOTE_ADVICE,
)
from .common import (
    SupporterChoiceField,
    _model_choice,
)


class AssignForm(forms.Form):
    supporter = SupporterChoiceField(
        queryset=PeerSupporter.objects.none(),
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose a supporter from the suggestions."),
            "invalid_choice": _("That supporter is not among the suggestions any more."),
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
        label=_("Why are you declining?"),
        choices=DeclineReason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a reason.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class HandoffNoteForm(forms.Form):
    """The note the case's supporter keeps for whoever takes the case next (empty: none)."""

    prefix = "handoff"
    handoff_note = forms.CharField(
        label=_("Note for the next supporter (optional)"),
        required=False,
        max_length=HANDOFF_NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=HANDOFF_NOTE_ADVICE,
        error_messages={
            "max_length": _("Keep the note to %(limit_value)d characters (it has %(show_value)d).")
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
        label=_("Why are you handing this case back?"),
        choices=DeclineReason.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose a reason."),
            "invalid_choice": _("Choose a reason from the list."),
        },
    )


class QueueFilterForm(forms.Form):
    site = forms.ModelChoiceField(
        label=_("Site"), queryset=Site.objects.none(), required=False, empty_label=_("All my sites")
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("open", pgettext_lazy("referral status", "Open")),
            ("new", pgettext_lazy("referral status", "New")),
            ("assigned", pgettext_lazy("referral status", "Assigned")),
            ("accepted", pgettext_lazy("referral status", "Accepted")),
            ("contacted", pgettext_lazy("referral status", "Contacted")),
            ("closed", pgettext_lazy("referral status", "Closed")),
            ("all", _("All")),
        ],
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)

    def __init__(self, *args, sites, **kwargs):
        super().__init__(*args, **kwargs)
        _model_choice(self, "site").queryset = sites
        self.helper = filter_helper(
            ("site", "col-md-4"), ("status", "col-md-3"), ("overdue", "col-md-2 pt-md-4")
        )


class LinkPhysicianForm(forms.Form):
    """A coordinator links a request kept by name to the physician's roster entry."""

    physician = forms.ModelChoiceField(
        label=_("Their roster entry"),
        queryset=Physician.objects.none(),
        empty_label=_("Choose from the department's roster"),
        error_messages={
            "required": _("Choose the physician's roster entry."),
            "invalid_choice": _("Choose a physician of the referral's department."),
        },
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    prefix = "link"

    def __init__(self, *args, referral, **kwargs):
        super().__init__(*args, **kwargs)
        _model_choice(self, "physician").queryset = (
            Physician.objects.employed_on(timezone.localdate())
            .filter(department_id=referral.department_id)
            .order_by("name", "pk")
        )
        self.helper = FormHelper()
        self.helper.form_tag = False
