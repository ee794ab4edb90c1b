from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row, Submit
from django import forms

from .models import Department


def filter_helper(*columns: tuple[str, str], button_width: str = "col-md-2") -> FormHelper:
    """A GET form in one row: each (field, column classes), then a Filter button."""
    helper = FormHelper()
    helper.form_method = "get"
    helper.disable_csrf = True
    helper.layout = Layout(
        Row(
            *(Column(name, css_class=css) for name, css in columns),
            Column(Submit("filter", "Filter", css_class="mt-md-4"), css_class=button_width),
        )
    )
    return helper


class RosterFilterForm(forms.Form):
    q = forms.CharField(
        label="Name, physician ID or email", required=False, max_length=100, strip=True
    )
    department = forms.ModelChoiceField(
        queryset=Department.objects.none(), required=False, empty_label="All my departments"
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
        help_text=(
            "departments.csv, physicians.csv, training.csv, referrals.csv, interactions.csv, "
            "survey_responses.csv — any of them — or one .xlsx workbook. Nothing is written "
            "until you have seen the check and confirmed."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("upload", "Check these files"))

    def clean_files(self):
        uploads = self.cleaned_data["files"]
        if not uploads:
            raise forms.ValidationError("Choose at least one file.")
        if sum(upload.size for upload in uploads) > self.MAX_BYTES:
            raise forms.ValidationError("The files are larger than 50 MB together.")
        names = [upload.name for upload in uploads]
        if len(set(names)) != len(names):
            raise forms.ValidationError("Two files have the same name.")
        bad = [name for name in names if not name.lower().endswith((".csv", ".xlsx"))]
        if bad:
            raise forms.ValidationError(f"Only .csv and .xlsx files: {', '.join(bad)}.")
        return {upload.name: upload.read() for upload in uploads}
