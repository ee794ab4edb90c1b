"""What the referral forms share: choice fields and helpers."""

from __future__ import annotations

from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from post_program.models import PeerSupporter


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


YES_NO = [("yes", _("Yes")), ("no", _("No"))]


def _yes_no(value) -> bool | None:
    return {"yes": True, "no": False}.get(value)
