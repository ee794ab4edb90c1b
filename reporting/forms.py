"""Input checking and layout for the reporting pages: the period and scope filters of the
dashboards, the export request and PRISM notes."""

from __future__ import annotations

from datetime import date

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Field, Layout, Row, Submit
from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from post_program.models import Department, Site

from . import metrics
from .models import PRISM_NOTE_MAX_LENGTH, ExportFormat, PrismNote
from .report import ReportInputError, Scope, program_start, scope_for
from .research import research_period

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
EARLIEST_DATE = date(1990, 1, 1)


class Preset:
    THIS_QUARTER = "this_quarter"
    LAST_12_MONTHS = "last_12_months"
    PROGRAM_TO_DATE = "program_to_date"
    LAST_QUARTER = "last_quarter"
    LAST_4_QUARTERS = "last_4_quarters"
    CUSTOM = "custom"

    CHOICES = [
        (THIS_QUARTER, gettext_lazy("This quarter")),
        (LAST_12_MONTHS, gettext_lazy("Last 12 months")),
        (PROGRAM_TO_DATE, gettext_lazy("Program to date")),
        (CUSTOM, gettext_lazy("Custom range")),
    ]
    WHOLE_QUARTER_CHOICES = [
        (LAST_QUARTER, gettext_lazy("Last full quarter")),
        (LAST_4_QUARTERS, gettext_lazy("Last four full quarters")),
        (CUSTOM, gettext_lazy("Custom quarters")),
    ]
    """The periods of a suppressed dashboard (a department lead's): whole calendar quarters."""


WHOLE_QUARTERS_MESSAGE = gettext_lazy(
    "Suppressed reports cover whole calendar quarters: start on 1 January, 1 April, 1 July or "
    "1 October and end on 31 March, 30 June, 30 September or 31 December."
)


def _earliest_date_message() -> str:
    """The date as the date inputs take it (ISO)."""
    return _("Choose a date on or after %(date)s.") % {"date": EARLIEST_DATE.isoformat()}


def preset_period(
    preset: str, *, today: date, department_ids: frozenset[int] | None
) -> metrics.Window:
    """The dates of a period preset, ending today (the quarter presets: before this quarter)."""
    if preset == Preset.THIS_QUARTER:
        return metrics.Window(metrics.quarter_start(today), today)
    if preset == Preset.LAST_12_MONTHS:
        return metrics.trailing_window(today, 12)
    if preset == Preset.PROGRAM_TO_DATE:
        first = program_start(department_ids)
        return metrics.Window(min(first, today) if first else today, today)
    if preset == Preset.LAST_QUARTER:
        return metrics.whole_quarters_before(today, 1)
    if preset == Preset.LAST_4_QUARTERS:
        return metrics.whole_quarters_before(today, 4)
    raise ValueError(f"unknown period preset {preset!r}")


class DepartmentLabels:
    """Lists departments by their full label (``SITE/DEPARTMENT``)."""

    def label_from_instance(self, obj: Department) -> str:
        return obj.label


class DepartmentField(DepartmentLabels, forms.ModelChoiceField):
    pass


class DepartmentChoiceField(DepartmentLabels, forms.ModelMultipleChoiceField):
    pass


class ReportFilterForm(forms.Form):
    """The period and scope of a dashboard, from the query string.

    ``sites``/``departments`` are the choices the user may pick from (None hides the field:
    a site dashboard has no site choice, a department dashboard neither). ``whole_quarters``
    (suppressed dashboards) offers and accepts periods of whole calendar quarters only.
    """

    period = forms.ChoiceField(
        label=gettext_lazy("Period"), choices=Preset.CHOICES, initial=Preset.LAST_12_MONTHS
    )
    start = forms.DateField(
        label=gettext_lazy("Start"),
        required=False,
        widget=DATE_INPUT,
        help_text=gettext_lazy("For a custom range."),
    )
    end = forms.DateField(
        label=gettext_lazy("End"),
        required=False,
        widget=DATE_INPUT,
        help_text=gettext_lazy("Included."),
    )
    site = forms.ModelChoiceField(
        label=gettext_lazy("Site"),
        queryset=Site.objects.none(),
        required=False,
        empty_label=gettext_lazy("All sites"),
    )
    department = DepartmentChoiceField(
        label=gettext_lazy("Department"),
        queryset=Department.objects.none(),
        required=False,
        help_text=gettext_lazy("Leave empty for all departments of the scope above."),
    )

    def __init__(
        self,
        data=None,
        *,
        sites: QuerySet[Site] | None = None,
        departments: QuerySet[Department] | None = None,
        fixed_site: Site | None = None,
        fixed_department: Department | None = None,
        default_preset: str = Preset.LAST_12_MONTHS,
        whole_quarters: bool = False,
        today: date | None = None,
        **kwargs,
    ):
        if data is not None and not any(
            key in data for key in ("period", "start", "end", "site", "department")
        ):
            data = None
        super().__init__(data, **kwargs)
        self.today = today or timezone.localdate()
        self.fixed_site = fixed_site
        self.fixed_department = fixed_department
        self.whole_quarters = whole_quarters
        if whole_quarters:
            period_field = self.fields["period"]
            assert isinstance(period_field, forms.ChoiceField)
            period_field.choices = Preset.WHOLE_QUARTER_CHOICES
            period_field.help_text = _("Whole calendar quarters only.")
            default_preset = Preset.LAST_QUARTER
        self.fields["period"].initial = default_preset
        self.default_preset = default_preset
        if sites is None:
            del self.fields["site"]
        else:
            site_field = self.fields["site"]
            assert isinstance(site_field, forms.ModelChoiceField)
            site_field.queryset = sites.order_by("name")
        if departments is None:
            del self.fields["department"]
        else:
            department_field = self.fields["department"]
            assert isinstance(department_field, forms.ModelChoiceField)
            department_field.queryset = departments.select_related("site").order_by(
                "site__name", "name"
            )
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.form_class = "mb-3"
        columns = [Column("period", css_class="col-md-3")]
        columns += [Column("start", css_class="col-md-2"), Column("end", css_class="col-md-2")]
        if "site" in self.fields:
            columns.append(Column("site", css_class="col-md-2"))
        if "department" in self.fields:
            columns.append(Column(Field("department", size=4), css_class="col-md-3"))
        self.helper.layout = Layout(Row(*columns))
        self.helper.add_input(Submit("apply", _("Show")))

    def clean(self):
        cleaned = super().clean()
        preset = cleaned.get("period")
        start, end = cleaned.get("start"), cleaned.get("end")
        if preset == Preset.CUSTOM:
            if start is None:
                self.add_error("start", _("Give the first day of the custom range."))
            if end is None:
                self.add_error("end", _("Give the last day of the custom range."))
            for name, value in (("start", start), ("end", end)):
                if value is not None and value < EARLIEST_DATE:
                    self.add_error(name, _earliest_date_message())
            if start and end and start > end:
                self.add_error("end", _("The end must be on or after the start."))
            elif (
                self.whole_quarters
                and start
                and end
                and not metrics.is_whole_quarters(metrics.Window(start, end))
            ):
                self.add_error(None, WHOLE_QUARTERS_MESSAGE)
        site = cleaned.get("site")
        departments = list(cleaned.get("department") or [])
        if site is not None and any(d.site_id != site.pk for d in departments):
            self.add_error("department", _("Choose departments of the site chosen, or all sites."))
        return cleaned

    # -- what the form asks for (valid forms only, or the defaults when unbound) --

    def _value(self, name: str):
        if not self.is_bound:
            return self.fields[name].initial if name in self.fields else None
        return self.cleaned_data.get(name)

    def chosen_site(self) -> Site | None:
        return self.fixed_site or (self._value("site") if "site" in self.fields else None)

    def chosen_departments(self) -> list[Department]:
        if self.fixed_department is not None:
            return [self.fixed_department]
        if "department" not in self.fields:
            return []
        return list(self._value("department") or [])

    def scope(self) -> Scope:
        try:
            return scope_for(site=self.chosen_site(), departments=self.chosen_departments())
        except ReportInputError as error:  # pragma: no cover - clean() refuses this first
            raise forms.ValidationError(str(error)) from error

    def period_window(self, scope: Scope) -> metrics.Window:
        preset = self._value("period") or self.default_preset
        if preset == Preset.CUSTOM:
            return metrics.Window(self._value("start"), self._value("end"))
        return preset_period(preset, today=self.today, department_ids=scope.department_ids)

    def query_items(self, period: metrics.Window) -> list[tuple[str, str]]:
        """The filter as query-string pairs (links to exports and other dashboards)."""
        items = [("period", Preset.CUSTOM), ("start", period.start.isoformat())]
        items.append(("end", period.end.isoformat()))
        site = self._value("site") if "site" in self.fields else None
        if site is not None:
            items.append(("site", str(site.pk)))
        if "department" in self.fields:
            for department in self._value("department") or []:
                items.append(("department", str(department.pk)))
        return items


class ExportForm(forms.Form):
    """An export of the report shown on a dashboard: its period and scope travel as hidden
    fields, checked again against what the user may see."""

    format = forms.ChoiceField(
        label=gettext_lazy("Format"), choices=ExportFormat.choices, initial=ExportFormat.PDF
    )
    shareable = forms.BooleanField(
        required=False,
        label=gettext_lazy("Shareable: suppress small counts"),
        help_text=gettext_lazy(
            "Counts below the suppression threshold, and what would reveal them, are "
            "hidden. Leads' exports are always suppressed."
        ),
    )
    start = forms.DateField(widget=forms.HiddenInput)
    end = forms.DateField(widget=forms.HiddenInput)
    site = forms.ModelChoiceField(
        queryset=Site.objects.all(), required=False, widget=forms.HiddenInput
    )
    department = forms.ModelMultipleChoiceField(
        queryset=Department.objects.select_related("site"),
        required=False,
        widget=forms.MultipleHiddenInput,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_class = "row g-2 align-items-end"
        self.helper.layout = Layout(
            Column("format", css_class="col-auto"),
            Column("shareable", css_class="col-auto"),
            "start",
            "end",
            "site",
            "department",
        )
        self.helper.add_input(Submit("export", _("Prepare the file")))

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and start > end:
            raise forms.ValidationError(_("The period's end must be on or after its start."))
        site = cleaned.get("site")
        departments = list(cleaned.get("department") or [])
        if site is not None and any(d.site_id != site.pk for d in departments):
            raise forms.ValidationError(_("The departments are not in the site chosen."))
        return cleaned


class ResearchExportForm(forms.Form):
    """The period of a research export (the whole program)."""

    start = forms.DateField(widget=DATE_INPUT, label=gettext_lazy("First day"))
    end = forms.DateField(widget=DATE_INPUT, label=gettext_lazy("Last day (included)"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.attrs = {"novalidate": ""}
        self.helper.form_class = "row g-2 align-items-end"
        self.helper.layout = Layout(
            Column("start", css_class="col-auto"), Column("end", css_class="col-auto")
        )
        self.helper.add_input(Submit("export", _("Download the files (zip)")))

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end:
            try:
                cleaned["period"] = research_period(start, end)
            except ReportInputError as error:
                raise forms.ValidationError(str(error)[:1].upper() + str(error)[1:] + ".") from None
        return cleaned


class PrismNoteForm(forms.ModelForm):
    """A PRISM context note. The director may leave the department empty (a program-wide
    note); a lead picks one of their departments."""

    class Meta:
        model = PrismNote
        fields = ["domain", "tag", "noted_on", "department", "text"]
        field_classes = {"department": DepartmentField}
        widgets = {
            "noted_on": DATE_INPUT,
            "text": forms.Textarea(attrs={"rows": 4, "maxlength": PRISM_NOTE_MAX_LENGTH}),
        }
        labels = {
            "domain": gettext_lazy("PRISM domain"),
            "tag": gettext_lazy("Tag"),
            "noted_on": gettext_lazy("Date"),
            "department": gettext_lazy("Department"),
            "text": gettext_lazy("Note"),
        }
        help_texts = {
            "text": gettext_lazy(
                "Describe the context in general terms. Do not name or identify "
                "physicians, patients or cases."
            ),
        }

    def __init__(self, *args, departments: QuerySet[Department], program_wide: bool, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["department"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = departments.order_by("site__name", "name")
        field.required = not program_wide
        field.empty_label = _("The whole program") if program_wide else None
        self.helper = FormHelper()
        self.helper.attrs = {"novalidate": ""}
        self.helper.add_input(Submit("save", _("Save note")))

    def clean_noted_on(self) -> date:
        noted_on = self.cleaned_data["noted_on"]
        if noted_on > timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the future."))
        if noted_on < EARLIEST_DATE:
            raise forms.ValidationError(_earliest_date_message())
        return noted_on

    def clean_text(self) -> str:
        text = self.cleaned_data["text"].strip()
        if not text:
            raise forms.ValidationError(_("Write the note."))
        return text
