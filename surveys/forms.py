"""Forms of the surveys app: the answer form (built from a version's questions), the campaign
form, and the instrument builder."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any, cast

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from post_program.models import Department

from .models import (
    SPANISH_HELP,
    TEXT_MAX_LENGTH,
    Campaign,
    InstrumentVersion,
    Question,
    QuestionKind,
    Scoring,
)
from .services import CODE_PATTERN, OPTION_KINDS, QuestionSpec, questions_validate

CHOOSE_ONE = _("Please choose an answer.")

# --- Answering -------------------------------------------------------------------------------


def _answer_field(question: Question) -> forms.Field:
    common: dict[str, Any] = {
        "label": question.localized_text,
        "required": question.required,
        "help_text": question.localized_help_text,
    }
    kind = question.kind
    if kind == QuestionKind.YES_NO:
        return forms.TypedChoiceField(
            choices=[("yes", gettext("Yes")), ("no", gettext("No"))],
            coerce=lambda value: value == "yes",
            empty_value=None,
            widget=forms.RadioSelect,
            error_messages={"required": CHOOSE_ONE, "invalid_choice": gettext("Answer yes or no.")},
            **common,
        )
    if kind in (QuestionKind.LIKERT, QuestionKind.SCALE):
        return forms.TypedChoiceField(
            choices=[(str(value), label) for value, label in question.scale_points],
            coerce=int,
            empty_value=None,
            widget=forms.RadioSelect,
            error_messages={
                "required": CHOOSE_ONE,
                "invalid_choice": gettext("Choose one of the points of the scale."),
            },
            **common,
        )
    if kind == QuestionKind.SINGLE_CHOICE:
        return forms.ChoiceField(
            choices=question.choices,
            widget=forms.RadioSelect,
            error_messages={
                "required": CHOOSE_ONE,
                "invalid_choice": gettext("Choose one of the options."),
            },
            **common,
        )
    if kind == QuestionKind.MULTIPLE_CHOICE:
        return forms.MultipleChoiceField(
            choices=question.choices,
            widget=forms.CheckboxSelectMultiple,
            error_messages={
                "required": gettext("Please tick at least one option."),
                "invalid_choice": gettext("Choose among the options shown."),
            },
            **common,
        )
    if kind == QuestionKind.NUMBER:
        low, high = question.min_value, question.max_value
        if low is not None and high is not None:
            hint = gettext("Enter a whole number from %(low)s to %(high)s.") % {
                "low": low,
                "high": high,
            }
        elif low is not None:
            hint = gettext("Enter a whole number of at least %(low)s.") % {"low": low}
        elif high is not None:
            hint = gettext("Enter a whole number of at most %(high)s.") % {"high": high}
        else:
            hint = gettext("Enter a whole number.")
        return forms.IntegerField(
            min_value=low,
            max_value=high,
            widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
            error_messages={
                "required": gettext("Please enter a number."),
                "invalid": hint,
                "min_value": hint,
                "max_value": hint,
            },
            **common,
        )
    return forms.CharField(
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": gettext("Please write an answer."),
            "max_length": gettext("Please keep it under %(count)s characters.")
            % {"count": TEXT_MAX_LENGTH},
        },
        **common,
    )


class ResponseForm(forms.Form):
    """One field per question, named by the question code; cleaned values are what
    `services.response_submit` takes (bool, int, str, list of str, or None)."""

    def __init__(self, *args, questions: list[Question], **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = questions
        for question in questions:
            self.fields[question.code] = _answer_field(question)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def answers(self) -> dict:
        return dict(self.cleaned_data)


# --- Campaigns -------------------------------------------------------------------------------


def parse_days(text: str) -> list[int]:
    parts = [part for part in re.split(r"[\s,;]+", text.strip()) if part]
    days = []
    for part in parts:
        if not part.isdigit():
            raise ValidationError(
                gettext("'%(value)s' is not a whole number of days.") % {"value": part}
            )
        days.append(int(part))
    if len(days) > 5:
        raise ValidationError(gettext("At most five reminders."))
    return sorted(set(days))


class CampaignForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=200,
        help_text=_("For example: Program evaluation, spring."),
    )
    version = forms.ModelChoiceField(
        queryset=InstrumentVersion.objects.none(),
        label=_("Instrument"),
        empty_label=None,
        help_text=_("The current version of each active instrument."),
    )
    audience = forms.ChoiceField(
        label=_("Audience"),
        choices=[
            (Campaign.Audience.DEPARTMENTS, _("Everyone on the roster of the departments below")),
            (Campaign.Audience.SUPPORTERS, _("All active peer supporters")),
        ],
        widget=forms.RadioSelect,
        initial=Campaign.Audience.DEPARTMENTS,
    )
    departments = forms.ModelMultipleChoiceField(
        queryset=Department.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Departments"),
        help_text=_("Only for a roster audience."),
    )
    opens_on = forms.DateField(
        label=_("Opens on"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Invitations go out on this day."),
    )
    closes_on = forms.DateField(
        label=_("Closes on"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The last day to answer."),
    )
    reminder_days = forms.CharField(
        label=_("Reminders (days after the invitation)"),
        required=False,
        max_length=40,
        help_text=_(
            "Only those who have not answered are reminded. Separate with commas; "
            "leave empty for none."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from .models import Instrument

        latest = []
        for instrument in Instrument.objects.active().prefetch_related("versions"):
            versions = sorted(instrument.versions.all(), key=lambda v: v.number)
            if versions:
                latest.append(versions[-1].pk)
        self.fields["version"].queryset = (
            InstrumentVersion.objects.filter(pk__in=latest)
            .select_related("instrument")
            .order_by("-instrument__builtin", "instrument__name")
        )
        self.fields["version"].label_from_instance = lambda v: (
            gettext("%(instrument)s (version %(number)s)")
            % {"instrument": v.instrument.localized_name, "number": v.number}
        )
        self.fields["departments"].queryset = Department.objects.select_related("site")
        today = timezone.localdate()
        self.fields["opens_on"].initial = today
        self.fields["closes_on"].initial = today + timedelta(days=21)
        self.fields["reminder_days"].initial = ", ".join(
            str(d) for d in settings.SURVEY_REMINDER_DAYS
        )
        self.helper = FormHelper()
        self.helper.attrs = {"novalidate": ""}
        self.helper.add_input(Submit("launch", gettext("Create campaign")))

    def clean_reminder_days(self) -> list[int]:
        return parse_days(self.cleaned_data["reminder_days"])

    def clean(self):
        data = super().clean()
        audience = data.get("audience")
        departments = data.get("departments")
        if audience == Campaign.Audience.DEPARTMENTS and not departments:
            self.add_error("departments", gettext("Choose at least one department."))
        if audience == Campaign.Audience.SUPPORTERS and departments:
            self.add_error(
                "departments", gettext("Leave departments empty when inviting all supporters.")
            )
        opens_on, closes_on = data.get("opens_on"), data.get("closes_on")
        if opens_on and opens_on < timezone.localdate():
            self.add_error("opens_on", gettext("The opening date cannot be in the past."))
        if opens_on and closes_on:
            if closes_on < opens_on:
                self.add_error(
                    "closes_on", gettext("The closing date must be on or after the opening.")
                )
            elif any(
                d < 1 or d > (closes_on - opens_on).days for d in data.get("reminder_days", [])
            ):
                self.add_error(
                    "reminder_days",
                    gettext(
                        "Each reminder must fall after the opening day and before the closing date."
                    ),
                )
        return data


# --- Instrument builder ----------------------------------------------------------------------

CODE_ERROR = _("Start with a letter; use lower-case letters, digits and underscores.")


class InstrumentForm(forms.Form):
    code = forms.RegexField(
        regex=rf"^{CODE_PATTERN}$",
        max_length=50,
        label=_("Code"),
        help_text=_("The survey's code in exports, e.g. team_climate. It cannot change later."),
        error_messages={"invalid": CODE_ERROR},
    )
    name = forms.CharField(label=_("Name"), max_length=200)
    name_es = forms.CharField(
        label=_("Name in Spanish"), max_length=200, required=False, help_text=SPANISH_HELP
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
    )
    description_es = forms.CharField(
        label=_("Description in Spanish"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        help_text=SPANISH_HELP,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def clean_code(self):
        from .models import Instrument

        code = self.cleaned_data["code"]
        if Instrument.objects.filter(code=code).exists():
            raise ValidationError(gettext("An instrument with this code exists already."))
        return code


class VersionForm(forms.Form):
    intro = forms.CharField(
        label=_("Introduction"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_(
            "Shown above the questions. The survey page itself says that answers are "
            "anonymous: no need to say it again here."
        ),
    )
    intro_es = forms.CharField(
        label=_("Introduction in Spanish"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=SPANISH_HELP,
    )
    scoring = forms.ChoiceField(label=_("Scoring"), choices=Scoring.choices, initial=Scoring.NONE)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True


OPTIONS_HELP = _(
    "Choice questions: one option per line as code: label (e.g. often: Often). "
    "Rating scales: optionally one label per point, lowest first."
)
OPTIONS_ES_HELP = _(
    "Optional: the Spanish label of each option or point, one per line, in the same order."
)


class QuestionForm(forms.Form):
    code = forms.RegexField(
        regex=rf"^{CODE_PATTERN}$",
        max_length=50,
        label=_("Code"),
        required=False,
        error_messages={"invalid": CODE_ERROR},
    )
    text = forms.CharField(label=_("Question"), max_length=500, required=False)
    text_es = forms.CharField(
        label=_("Question in Spanish"), max_length=500, required=False, help_text=SPANISH_HELP
    )
    kind = forms.ChoiceField(
        label=_("Type"), choices=[("", "—"), *QuestionKind.choices], required=False
    )
    required = forms.BooleanField(label=_("An answer is required"), required=False, initial=True)
    options = forms.CharField(
        label=_("Options"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=3000,
        help_text=OPTIONS_HELP,
    )
    options_es = forms.CharField(
        label=_("Options in Spanish"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=3000,
        help_text=OPTIONS_ES_HELP,
    )
    min_value = forms.IntegerField(label=_("Lowest value"), required=False)
    max_value = forms.IntegerField(label=_("Highest value"), required=False)
    scored = forms.BooleanField(label=_("Counts towards the score"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    @property
    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not (data.get("code") or data.get("text") or data.get("kind"))

    def clean(self):
        data = super().clean()
        if self.is_blank:
            return data
        if not data.get("code"):
            self.add_error("code", gettext("Give the question a code."))
        if not data.get("text"):
            self.add_error("text", gettext("Write the question."))
        if not data.get("kind"):
            self.add_error("kind", gettext("Choose a question type."))
        kind = data.get("kind")
        lines = [line.strip() for line in (data.get("options") or "").splitlines()]
        lines = [line for line in lines if line]
        if kind in (QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE):
            options = []
            for line in lines:
                code, sep, label = line.partition(":")
                code, label = code.strip(), label.strip()
                if not sep or not label or not re.fullmatch(CODE_PATTERN, code):
                    self.add_error(
                        "options",
                        gettext("Write each option as code: label ('%(line)s' is not).")
                        % {"line": line},
                    )
                    break
                options.append({"code": code, "label": label})
            data["parsed_options"] = options
        elif kind == QuestionKind.SCALE:
            data["parsed_options"] = lines
        else:
            data["parsed_options"] = []
        spanish = [line.strip() for line in (data.get("options_es") or "").splitlines()]
        data["parsed_options_es"] = (
            [line for line in spanish if line] if kind in OPTION_KINDS else []
        )
        return data

    def spec(self) -> QuestionSpec:
        data = self.cleaned_data
        return QuestionSpec(
            code=data["code"],
            text=data["text"],
            text_es=data.get("text_es", ""),
            kind=data["kind"],
            required=data.get("required", False),
            min_value=data.get("min_value"),
            max_value=data.get("max_value"),
            options=data.get("parsed_options", []),
            options_es=data.get("parsed_options_es", []),
            scored=data.get("scored", False),
        )


class BaseQuestionFormSet(forms.BaseFormSet):
    scoring: str = Scoring.NONE

    def clean(self):
        if any(self.errors):
            return
        try:
            questions_validate(self.specs(), scoring=self.scoring)
        except ValidationError as error:
            raise ValidationError(error.messages) from None

    def specs(self) -> list[QuestionSpec]:
        return [form.spec() for form in self.forms if not form.is_blank]


def question_initial(questions) -> list[dict]:
    """Builder rows prefilled from an existing version (for its next version)."""
    rows = []
    for question in questions:
        if question.kind in (QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE):
            options = "\n".join(f"{o['code']}: {o['label']}" for o in question.options)
        elif question.kind == QuestionKind.SCALE:
            options = "\n".join(str(label) for label in question.options)
        else:
            options = ""
        rows.append(
            {
                "code": question.code,
                "text": question.text,
                "text_es": question.text_es,
                "kind": question.kind,
                "required": question.required,
                "options": options,
                "options_es": "\n".join(str(label) for label in question.options_es or []),
                "min_value": question.min_value,
                "max_value": question.max_value,
                "scored": question.scored,
            }
        )
    return rows


BLANK_ROWS = 5


def question_formset(data=None, *, initial=None, scoring: str = Scoring.NONE):
    """The builder's question rows: the given ones plus a few blank rows."""
    initial = list(initial or [])
    factory = forms.formset_factory(
        QuestionForm,
        formset=BaseQuestionFormSet,
        extra=BLANK_ROWS,
        max_num=60,
        absolute_max=60,
        validate_max=True,
    )
    # formset_factory is typed as returning the base class; it returns BaseQuestionFormSet's.
    formset = cast(BaseQuestionFormSet, factory(data, initial=initial, prefix="q"))
    formset.scoring = scoring
    return formset
