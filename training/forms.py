"""Input checking and layout for the training pages."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row, Submit
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from post_program.forms import filter_helper
from post_program.models import Department, PeerSupporter, Physician, RoleAssignment, User

from .models import Course, CourseKind, Enrollment, TrainingSession
from .services import ATTENDANCE_MARKS

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
# Above this many physicians a select list is unwieldy: find them by name first.
SELECT_LIMIT = 300
# How many physicians a name search offers at most.
SEARCH_RESULTS = 50


def _helper(submit: str, *, form_tag: bool = True) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = form_tag
    # The program's own messages, next to each field and in the summary, not the browser's.
    helper.attrs = {"novalidate": ""}
    helper.add_input(Submit("submit", submit))
    return helper


class CourseForm(forms.ModelForm):
    hours = forms.DecimalField(
        min_value=Decimal("0.5"),
        max_value=100,
        max_digits=4,
        decimal_places=1,
        label=_("Hours"),
        help_text=_("Length of the course in hours."),
        widget=forms.NumberInput(attrs={"step": "0.5"}),
    )

    class Meta:
        model = Course
        fields = ["name", "kind", "hours", "topics", "is_active"]
        widgets = {"topics": forms.Textarea(attrs={"rows": 4})}
        labels = {
            "name": _("Name"),
            "kind": _("Kind"),
            "topics": _("Topics"),
            "is_active": _("Active"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Save course"))

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        clash = Course.objects.filter(name__iexact=name)
        if self.instance.pk:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(_("A course with this name already exists."))
        return name


def facilitator_choices():
    """Who may lead a session: the director, coordinators and active peer supporters."""
    return (
        User.objects.filter(is_active=True)
        .filter(
            Q(role_assignments__role__in=[RoleAssignment.Role.DIRECTOR, "coordinator"])
            | Q(physician__supporter__status=PeerSupporter.Status.ACTIVE)
        )
        .distinct()
        .order_by("name", "email")
    )


class FacilitatorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.name} ({obj.email})" if obj.name else obj.email


class SessionForm(forms.ModelForm):
    facilitator = FacilitatorChoiceField(queryset=User.objects.none(), label=_("Facilitator"))
    video_url = forms.URLField(
        label=_("Video link"),
        required=False,
        max_length=200,
        assume_scheme="https",
        help_text=_("Link for those who join by video."),
    )
    capacity = forms.IntegerField(
        min_value=1,
        max_value=500,
        label=_("Capacity"),
        help_text=_("Most participants; others waitlist."),
    )

    class Meta:
        model = TrainingSession
        fields = [
            "course",
            "starts_at",
            "ends_at",
            "location",
            "video_url",
            "facilitator",
            "capacity",
        ]
        widgets = {"starts_at": DATETIME_INPUT, "ends_at": DATETIME_INPUT}
        labels = {
            "course": _("Course"),
            "starts_at": _("Starts"),
            "ends_at": _("Ends"),
            "location": _("Location"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["facilitator"].queryset = facilitator_choices()
        courses = Course.objects.filter(is_active=True)
        if self.instance.pk:
            # The course of an existing session does not change (completions name its kind).
            del self.fields["course"]
        else:
            self.fields["course"].queryset = courses
        for name in ("starts_at", "ends_at"):
            self.fields[name].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
        self.helper = _helper(_("Save session"))
        self.helper.layout = Layout(
            *(["course"] if "course" in self.fields else []),
            Row(Column("starts_at", css_class="col-md-6"), Column("ends_at", css_class="col-md-6")),
            Row(
                Column("location", css_class="col-md-6"), Column("video_url", css_class="col-md-6")
            ),
            Row(
                Column("facilitator", css_class="col-md-8"),
                Column("capacity", css_class="col-md-4"),
            ),
        )

    def clean_starts_at(self):
        starts_at = self.cleaned_data["starts_at"]
        changed = self.instance.pk is None or "starts_at" in self.changed_data
        if changed and starts_at <= timezone.now():
            raise forms.ValidationError(_("A session must start in the future."))
        return starts_at

    def clean(self):
        cleaned = super().clean()
        starts_at, ends_at = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts_at and ends_at and ends_at <= starts_at:
            self.add_error("ends_at", _("A session must end after it starts."))
        if not (cleaned.get("location") or "").strip() and not (cleaned.get("video_url") or ""):
            self.add_error("location", _("Give a place, a video link or both."))
        return cleaned


class PhysicianByIdField(forms.ModelChoiceField):
    """A physician chosen from a list (sent as their physician ID), each named with their ID and
    department so that two colleagues of the same name are told apart."""

    def label_from_instance(self, obj) -> str:
        return f"{obj.name or obj.physician_id} ({obj.physician_id}, {obj.department.name})"


def _name_search_field() -> forms.CharField:
    return forms.CharField(
        label=_("Find a physician by name"),
        required=False,
        max_length=100,
        help_text=_("Type at least two letters of their name, then Find."),
    )


def _physician_field(*, required: StrPromise, invalid: StrPromise) -> PhysicianByIdField:
    return PhysicianByIdField(
        queryset=Physician.objects.none(),
        to_field_name="physician_id",
        label=_("Physician"),
        empty_label=_("Choose a physician"),
        error_messages={"required": required, "invalid_choice": invalid},
    )


class PhysicianSearchMixin:
    """A `physician` chosen by name from a list: all the physicians `physicians` holds, or,
    above SELECT_LIMIT of them (the director's whole roster), those whose name contains the
    text of the `name` search (sent by POST, so that no name goes into a URL). Any physician
    of `physicians` stays a valid choice; the list only offers the matches."""

    fields: dict[str, forms.Field]
    data: Any
    initial: Any
    is_bound: bool

    def _physician_search(self, physicians) -> list:
        """Set up the list; the layout items of the search and the choice, in order."""
        field = self.fields["physician"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = (
            physicians if physicians is not None else Physician.objects.none()
        ).select_related("department")
        self.searching = field.queryset.count() > SELECT_LIMIT
        if not self.searching:
            del self.fields["name"]
            return ["physician"]
        query = self.search_text()
        matches = list(
            field.queryset.filter(name__icontains=query).order_by("name", "physician_id")[
                :SEARCH_RESULTS
            ]
            if len(query) >= 2
            else []
        )
        field.widget.choices = [
            ("", _("Choose a physician") if matches else _("Find them by name first")),
            *((p.physician_id, field.label_from_instance(p)) for p in matches),
        ]
        return [
            Row(
                Column("name", css_class="col-md-8"),
                Column(
                    Submit("find", _("Find"), css_class="btn-secondary beside-field"),
                    css_class="col-md-4",
                ),
            ),
            "physician",
        ]

    def search_text(self) -> str:
        value = (self.data.get("name") if self.is_bound else self.initial.get("name")) or ""
        return str(value).strip()[:100]


class SignUpForm(PhysicianSearchMixin, forms.Form):
    """A physician to sign up, chosen by name (PhysicianSearchMixin)."""

    name = _name_search_field()
    physician = _physician_field(
        required=_("Choose the physician to sign up."),
        invalid=_("Choose a physician you may sign up from the list."),
    )

    def __init__(self, *args, physicians=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Sign up"), form_tag=False)
        layout = self._physician_search(physicians)
        if self.searching:
            self.helper.layout = Layout(*layout)


class AttendanceForm(forms.Form):
    """One choice per seat at the session: completed, attended (not completed), absent."""

    CHOICES = [("", _("Not recorded"))] + [(mark.value, mark.label) for mark in ATTENDANCE_MARKS]

    def __init__(self, *args, enrollments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.enrollments = list(enrollments)
        for enrollment in self.enrollments:
            name = f"mark_{enrollment.pk}"
            if enrollment.status == Enrollment.Status.COMPLETED:
                continue  # final; shown as text in the sheet
            self.fields[name] = forms.ChoiceField(
                label=str(enrollment.physician),
                choices=self.CHOICES,
                required=False,
                initial=enrollment.status if enrollment.status in ATTENDANCE_MARKS else "",
            )

    def rows(self):
        """(enrollment, bound field or None) pairs in sheet order."""
        for enrollment in self.enrollments:
            name = f"mark_{enrollment.pk}"
            yield enrollment, (self[name] if name in self.fields else None)

    def marks(self) -> dict[int, str]:
        return {
            int(name.removeprefix("mark_")): value
            for name, value in self.cleaned_data.items()
            if value
        }


class CompletionForm(PhysicianSearchMixin, forms.Form):
    """A course completed outside a session sheet (taken elsewhere, or recorded late), by a
    physician of the roster chosen by name (PhysicianSearchMixin)."""

    name = _name_search_field()
    physician = _physician_field(
        required=_("Choose the physician who completed the course."),
        invalid=_("Choose a physician on the roster from the list."),
    )
    course = forms.ChoiceField(label=_("Course"), choices=CourseKind.choices)
    completed_on = forms.DateField(
        widget=DATE_INPUT, label=_("Completed on"), input_formats=["%Y-%m-%d"]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Record completion"))
        layout = self._physician_search(Physician.objects.all())
        self.helper.layout = Layout(*layout, "course", "completed_on")

    def clean_completed_on(self):
        completed_on = self.cleaned_data["completed_on"]
        if completed_on > timezone.localdate():
            raise forms.ValidationError(_("A completion cannot be dated in the future."))
        return completed_on


class StatusFilterForm(forms.Form):
    department = forms.ModelChoiceField(
        queryset=Department.objects.none(),
        required=False,
        label=_("Department"),
        empty_label=_("All my departments"),
    )
    training = forms.ChoiceField(
        label=_("Training"),
        choices=[("", _("All")), ("current", _("Current")), ("lapsed", _("Lapsed"))],
        required=False,
    )

    def __init__(self, *args, departments=None, **kwargs):
        super().__init__(*args, **kwargs)
        if departments is not None:
            self.fields["department"].queryset = departments
        self.helper = filter_helper(
            ("department", "col-md-5"), ("training", "col-md-4"), button_width="col-md-3"
        )
