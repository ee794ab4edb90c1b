"""The program's rules that the director owns: thresholds, deadlines, the crisis resources,
retention, refreshers, the anonymity option and the recipient-feedback delay.

Every part of the application reads them through `get()`, and nothing else: the values the
director saved on the settings page (one `ProgramSettings` row), or, until they first save,
the environment's (the Django settings of the same names, from `.env`). `get()` keeps the row
in the cache for CACHE_SECONDS, so a page that reads the settings runs no query for them once
the cache holds them; a save forgets the cached row (and again when it commits), and the
time limit bounds how long a process with its own cache (no Redis) can lag behind. A save
with nothing changed writes nothing, so the environment keeps applying until the director
changes a value.

`program_settings_update` is the one write: it checks every value (`problems`), stores them
all and audits each change with its old and new value. Apps after the core add their own
checks of a proposed set of values with `check_register` from their AppConfig.ready (the
retention check needs the open cases, which the core does not know).
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import ProgramSettings, User
from .services import audit_record

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

logger = logging.getLogger(__name__)

CACHE_KEY = "post_program:program_settings:v1"
CACHE_SECONDS = 60


@dataclass(frozen=True)
class ProgramValues:
    suppression_threshold: int
    first_contact_hours: int
    urgent_first_contact_hours: int
    accept_within_hours: int
    crisis_resources: str
    retention_days: int
    refresher_months: int
    anonymous_colleague_referrals: bool
    recipient_feedback_delay_days: int

    @property
    def crisis_links(self) -> list[dict[str, str]]:
        """The crisis resources banner: "Label|link" pairs separated by ";"."""
        return crisis_links(self.crisis_resources)


FIELDS = tuple(field.name for field in dataclasses.fields(ProgramValues))

# Each value's Django setting: its default, read from the environment.
ENVIRONMENT = {
    "suppression_threshold": "SUPPRESSION_THRESHOLD",
    "first_contact_hours": "FIRST_CONTACT_DEADLINE_HOURS",
    "urgent_first_contact_hours": "URGENT_FIRST_CONTACT_HOURS",
    "accept_within_hours": "ACCEPT_WITHIN_HOURS",
    "crisis_resources": "CRISIS_RESOURCES",
    "retention_days": "RETENTION_DAYS",
    "refresher_months": "REFRESHER_MONTHS",
    "anonymous_colleague_referrals": "ANONYMOUS_COLLEAGUE_REFERRALS",
    "recipient_feedback_delay_days": "RECIPIENT_FEEDBACK_DELAY_DAYS",
}


@dataclass(frozen=True)
class Bounds:
    low: int
    high: int
    why_low: StrOrPromise = ""


NEVER_DUE_AT_ONCE = gettext_lazy("a request is never due the moment it arrives")
# The whole numbers a director may choose, and why a lower bound is where it is.
BOUNDS = {
    "suppression_threshold": Bounds(
        5,
        100,
        gettext_lazy(
            "below 5, a count in a breakdown or shareable export could single out a physician"
        ),
    ),
    "first_contact_hours": Bounds(1, 168, NEVER_DUE_AT_ONCE),
    "urgent_first_contact_hours": Bounds(1, 168, NEVER_DUE_AT_ONCE),
    "accept_within_hours": Bounds(
        1, 72, gettext_lazy("a supporter needs time to see the assignment")
    ),
    "retention_days": Bounds(
        7,
        3650,
        gettext_lazy("a closed case must stay long enough for its follow-up and its report"),
    ),
    "refresher_months": Bounds(1, 120),
    "recipient_feedback_delay_days": Bounds(0, 90),
}
CRISIS_RESOURCES_MAX_LENGTH = 2000
CRISIS_LINK_SCHEMES = ("tel:", "sms:", "mailto:", "https://", "http://")
# The labels of the banner the program comes with (the default of settings.CRISIS_RESOURCES),
# shown in the reader's language. A label the director writes is theirs: it shows as written.
SHIPPED_CRISIS_LABELS = {
    "Emergency services": gettext_lazy("Emergency services"),
    "988 Suicide & Crisis Lifeline (call or text)": gettext_lazy(
        "988 Suicide & Crisis Lifeline (call or text)"
    ),
    "Physician Support Line": gettext_lazy("Physician Support Line"),
}


def crisis_links(text: str) -> list[dict[str, str]]:
    """The banner's resources, in the active language where the program wrote the label."""
    resources = []
    for item in text.split(";"):
        label, _separator, link = item.partition("|")
        label = label.strip()
        if label:
            shown = str(SHIPPED_CRISIS_LABELS.get(label, label))
            resources.append({"label": shown, "link": link.strip()})
    return resources


def environment_defaults() -> ProgramValues:
    return ProgramValues(
        **{name: getattr(settings, setting) for name, setting in ENVIRONMENT.items()}
    )


def get() -> ProgramValues:
    """The program's settings now: the director's, else the environment's."""
    stored = _cached()
    if stored is None:
        try:
            row = ProgramSettings.objects.filter(pk=1).values(*FIELDS).first()
        except DatabaseError:
            # No database (it is down, or not migrated yet): the crisis resources and the help
            # page still show, with the environment's values; nothing is cached.
            logger.warning("program settings unavailable; using the environment's")
            return environment_defaults()
        cache_prime(row)
        return _values(row)
    return _values(stored["row"])


def _values(row: dict | None) -> ProgramValues:
    return ProgramValues(**row) if row is not None else environment_defaults()


def cache_prime(row: dict | None) -> None:
    """Let the cache hold `row`, the stored settings just read (None: none saved yet)."""
    try:
        cache.set(CACHE_KEY, {"row": row}, CACHE_SECONDS)
    except Exception:
        logger.warning("cache unavailable for program settings")


def _cached() -> dict | None:
    try:
        return cache.get(CACHE_KEY)
    except Exception:  # a cache that does not answer is a miss, not an error page
        logger.warning("cache unavailable for program settings")
        return None


def _cache_forget() -> None:
    try:
        cache.delete(CACHE_KEY)
    except Exception:
        logger.warning("cache unavailable for program settings")


# --- Checks ---------------------------------------------------------------------------------

Check = Callable[[ProgramValues], Iterable[tuple[str, str]]]
_checks: list[Check] = []


def check_register(check: Check) -> None:
    """Add a check of a proposed set of values: it yields (field, reason) for each problem."""
    if check not in _checks:
        _checks.append(check)


def problems(values: ProgramValues) -> dict[str, list[str]]:
    """Why each value that cannot be saved cannot, by field; empty when all can."""
    found: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        found.setdefault(name, []).append(message)

    for name, bounds in BOUNDS.items():
        value = getattr(values, name)
        if isinstance(value, bool) or not isinstance(value, int):
            add(name, _("Enter a whole number."))
        elif value < bounds.low and bounds.why_low:
            add(
                name,
                _("The lowest is %(low)s: %(why)s.") % {"low": bounds.low, "why": bounds.why_low},
            )
        elif value < bounds.low:
            add(name, _("The lowest is %(low)s.") % {"low": bounds.low})
        elif value > bounds.high:
            add(name, _("The highest is %(high)s.") % {"high": bounds.high})
    if not found and values.urgent_first_contact_hours > values.first_contact_hours:
        add(
            "urgent_first_contact_hours",
            _("An urgent request cannot wait longer than a routine one (%(hours)s hours).")
            % {"hours": values.first_contact_hours},
        )
    if not found and values.recipient_feedback_delay_days >= values.retention_days:
        add(
            "recipient_feedback_delay_days",
            _(
                "The feedback survey must go out before the case is de-identified "
                "(retention: %(days)s days)."
            )
            % {"days": values.retention_days},
        )
    _crisis_problems(values.crisis_resources, add)
    if not found:
        for check in _checks:
            for name, message in check(values):
                add(name, message)
    return found


def _crisis_problems(text: str, add: Callable[[str, str], None]) -> None:
    if len(text) > CRISIS_RESOURCES_MAX_LENGTH:
        add(
            "crisis_resources",
            _("At most %(length)s characters.") % {"length": CRISIS_RESOURCES_MAX_LENGTH},
        )
        return
    links = crisis_links(text)
    if not links:
        add("crisis_resources", _("List at least one resource: the banner is never empty."))
    for resource in links:
        if not resource["link"].startswith(CRISIS_LINK_SCHEMES):
            add(
                "crisis_resources",
                _("%(label)s needs a link starting with %(schemes)s after a '|'.")
                % {"label": repr(resource["label"]), "schemes": ", ".join(CRISIS_LINK_SCHEMES)},
            )


# --- The write ------------------------------------------------------------------------------


@transaction.atomic
def program_settings_update(*, actor: User, **values: Any) -> list[str]:
    """Store the director's settings and audit every change (who, old, new); returns the names
    of the values that changed. Raises ValidationError, having changed nothing, if any value
    cannot be saved."""
    unknown = set(values) - set(FIELDS)
    if unknown:
        raise TypeError(f"not program settings: {sorted(unknown)}")
    row = ProgramSettings.objects.select_for_update().filter(pk=1).first()
    before = (
        ProgramValues(**{name: getattr(row, name) for name in FIELDS})
        if row is not None
        else environment_defaults()
    )
    after = dataclasses.replace(before, **values)
    found = problems(after)
    if found:
        raise ValidationError(found)
    changed = [name for name in FIELDS if getattr(before, name) != getattr(after, name)]
    if not changed:
        return []
    ProgramSettings.objects.update_or_create(
        pk=1, defaults={**dataclasses.asdict(after), "updated_at": timezone.now()}
    )
    audit_record(
        actor=actor,
        action="program.settings_update",
        changes={
            name: {"old": getattr(before, name), "new": getattr(after, name)} for name in changed
        },
    )
    # Forget the cached row now, so this transaction reads what it wrote, and again on commit,
    # in case another process cached the old row meanwhile.
    _cache_forget()
    transaction.on_commit(_cache_forget)
    return changed
