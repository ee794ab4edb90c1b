from __future__ import annotations

from allauth.account.forms import ResetPasswordForm
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row, Submit
from django import forms
from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import program_settings
from .adapters import ONLY_SSO
from .models import ApiToken, Department, User


def filter_helper(*columns: tuple[str, str], button_width: str = "col-md-2") -> FormHelper:
    """A GET form in one row: each (field, column classes), then a Filter button."""
    helper = FormHelper()
    helper.form_method = "get"
    helper.disable_csrf = True
    helper.layout = Layout(
        Row(
            *(Column(name, css_class=css) for name, css in columns),
            Column(
                Submit("filter", gettext("Filter"), css_class="beside-field"),
                css_class=button_width,
            ),
        )
    )
    return helper


class RosterFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Name, physician ID or email"), required=False, max_length=100, strip=True
    )
    department = forms.ModelChoiceField(
        queryset=Department.objects.none(),
        label=_("Department"),
        required=False,
        empty_label=_("All my departments"),
    )

    def __init__(self, *args, departments=None, **kwargs):
        super().__init__(*args, **kwargs)
        if departments is not None:
            self.fields["department"].queryset = departments
        self.helper = filter_helper(("q", "col-md-6"), ("department", "col-md-4"))


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (Django's documented recipe)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(item, initial) for item in files if item]


class ImportUploadForm(forms.Form):
    """The program's CSV files, or one XLSX workbook with sheets of the same names."""

    MAX_BYTES = 50 * 1024 * 1024

    # A declared field, moved into base_fields by the form's metaclass: it never shadows
    # BaseForm.files at run time, though the stubs see the same name.
    files = MultipleFileField(  # type: ignore[assignment]
        widget=MultipleFileInput(attrs={"accept": ".csv,.xlsx"}),
        label=_("Files"),
        help_text=_(
            "departments.csv, physicians.csv, training.csv, referrals.csv, interactions.csv, "
            "survey_responses.csv, prism_notes.csv — any of them — or one .xlsx workbook. "
            "Nothing is written until you have seen the check and confirmed."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.attrs = {"novalidate": "", "data-busy": gettext("Checking the files…")}
        self.helper.add_input(Submit("upload", gettext("Check these files")))

    def clean_files(self):
        uploads = self.cleaned_data["files"]
        if not uploads:
            raise forms.ValidationError(gettext("Choose at least one file."))
        if sum(upload.size for upload in uploads) > self.MAX_BYTES:
            raise forms.ValidationError(gettext("The files are larger than 50 MB together."))
        names = [upload.name for upload in uploads]
        if len(set(names)) != len(names):
            raise forms.ValidationError(gettext("Two files have the same name."))
        bad = [name for name in names if not name.lower().endswith((".csv", ".xlsx"))]
        if bad:
            raise forms.ValidationError(
                gettext("Only .csv and .xlsx files: %(names)s.") % {"names": ", ".join(bad)}
            )
        return {upload.name: upload.read() for upload in uploads}


class AuditFilterForm(forms.Form):
    """The audit page's filters. Actions and object types are those the trail holds."""

    person = forms.CharField(
        label=_("Person (email or account number)"), required=False, max_length=254, strip=True
    )
    action = forms.ChoiceField(
        label=_("Action"),
        required=False,
        error_messages={"invalid_choice": _("No audit event has the action “%(value)s”.")},
    )
    object_type = forms.ChoiceField(
        label=_("Object type"),
        required=False,
        error_messages={"invalid_choice": _("No audit event is about a “%(value)s”.")},
    )
    object_id = forms.CharField(label=_("Object ID"), required=False, max_length=64, strip=True)
    start = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput({"type": "date"})
    )
    end = forms.DateField(label=_("To"), required=False, widget=forms.DateInput({"type": "date"}))

    def __init__(self, *args, actions=(), object_types=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", gettext("Any action")), *((a, a) for a in actions)]
        self.fields["object_type"].choices = [
            ("", gettext("Any object")),
            *((t, t) for t in object_types),
        ]
        self.helper = filter_helper(
            ("person", "col-md-4"),
            ("action", "col-md-4"),
            ("object_type", "col-md-4"),
            ("object_id", "col-md-3"),
            ("start", "col-md-3"),
            ("end", "col-md-3"),
            button_width="col-md-3",
        )

    def clean_person(self) -> User | None:
        person = self.cleaned_data["person"]
        if not person:
            return None
        is_number = person.isdigit() and len(person) <= 18  # an account number fits a bigint
        lookup = {"pk": int(person)} if is_number else {"email__iexact": person}
        user = User.objects.filter(**lookup).first()
        if user is None:
            raise forms.ValidationError(
                gettext("No account has the email or number “%(person)s”.") % {"person": person}
            )
        return user

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and start > end:
            self.add_error("end", gettext("The end of the period is before its start."))
        if cleaned.get("object_id") and not cleaned.get("object_type"):
            self.add_error("object_type", gettext("Choose the type of the object too."))
        return cleaned


class PasswordResetForm(ResetPasswordForm):
    """allauth's, refusing when the health system's sign-in is the only way in (OIDC_ONLY)."""

    def clean_email(self) -> str:
        if settings.OIDC_ONLY:
            raise forms.ValidationError(ONLY_SSO)
        return super().clean_email()


class ProgramSettingsForm(forms.Form):
    """The settings the director owns, in the order of `program_settings.ProgramValues`. Bounds
    and their reasons are `program_settings`'s, so that the page and the service refuse the same
    values with the same words."""

    # Each field's label and help text; every field but these two is a whole number.
    TEXTS = {
        "suppression_threshold": (
            _("Suppression threshold"),
            _(
                "Counts below this are suppressed in breakdowns for department leads and in "
                "shareable exports (at least 5)."
            ),
        ),
        "first_contact_hours": (
            _("First contact due within (hours)"),
            _("After a request arrives, for every request that is not urgent."),
        ),
        "urgent_first_contact_hours": (
            _("Urgent first contact due within (hours)"),
            _("For a request reporting an urgent safety concern; no longer than the routine one."),
        ),
        "accept_within_hours": (
            _("Accept an assignment within (hours)"),
            _("An assignment not accepted in time returns to the coordinators' queue."),
        ),
        "crisis_resources": (
            _("Crisis resources banner"),
            _(
                'Shown on every page: "Label|link" pairs separated by ";", such as '
                '"988 Suicide & Crisis Lifeline|tel:988". The labels the program comes with '
                "show in the reader's language; a label written here shows as written."
            ),
        ),
        "retention_days": (
            _("Retention (days)"),
            _(
                "Days after a case closes before it is de-identified; no shorter than the longest "
                "open case."
            ),
        ),
        "refresher_months": (
            _("Refresher due after (months)"),
            _("A supporter's training is current for this long after their last course."),
        ),
        "anonymous_colleague_referrals": (
            _("Allow anonymous colleague referrals"),
            _(
                "A signed-in physician may refer a colleague without the program learning who "
                "referred."
            ),
        ),
        "recipient_feedback_delay_days": (
            _("Recipient feedback sent after (days)"),
            _("Days after a case closes as supported before the feedback survey goes out."),
        ),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in program_settings.FIELDS:
            label, help_text = self.TEXTS[name]
            if name == "crisis_resources":
                field: forms.Field = forms.CharField(
                    widget=forms.Textarea(attrs={"rows": 3}),
                    max_length=program_settings.CRISIS_RESOURCES_MAX_LENGTH,
                )
            elif name == "anonymous_colleague_referrals":
                field = forms.BooleanField(required=False)
            else:
                field = forms.IntegerField()
            field.label, field.help_text = label, help_text
            self.fields[name] = field
        self.helper = FormHelper()
        self.helper.attrs = {"novalidate": ""}
        self.helper.add_input(Submit("save", gettext("Save settings")))

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        values = program_settings.ProgramValues(**cleaned)
        for name, messages in program_settings.problems(values).items():
            for message in messages:
                self.add_error(name, message)
        return cleaned


class ApiTokenForm(forms.Form):
    """A new API token: what it is for, and what it may do (docs/api.md, Scopes)."""

    name = forms.CharField(
        label=_("Name"),
        max_length=ApiToken._meta.get_field("name").max_length,
        help_text=_('What calls with it, such as "HR roster feed".'),
    )
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"),
        choices=ApiToken.Scope.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one scope.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout("name", "scopes", Submit("create", gettext("Create token")))


class ScimClientForm(forms.Form):
    name = forms.CharField(
        label=_("Identity provider"),
        max_length=100,
        strip=True,
        help_text=_("Which identity provider will use the token, e.g. Okta or Entra ID."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.attrs = {"novalidate": ""}
        self.helper.add_input(Submit("create", gettext("Create a token")))
