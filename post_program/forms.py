from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row, Submit
from django import forms

from .models import Department


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
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Row(
                Column("q", css_class="col-md-6"),
                Column("department", css_class="col-md-4"),
                Column(Submit("filter", "Filter", css_class="mt-md-4"), css_class="col-md-2"),
            )
        )
