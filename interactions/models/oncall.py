"""Who answers an urgent referral at a site, at any hour: the on-call roster.

A site's roster is a weekly pattern of shifts (`OnCallShift`: a weekday, a wall-clock start and
end in the program's time zone, and a call position, 1 being paged first) and exceptions to it
(`OnCallException`: a span in which someone is off although the pattern has them on, or covers
although it does not). Coordinators of the site hold shifts; supporters of the site may
volunteer. Each person may subscribe to their own shifts as an iCalendar feed through a private
URL whose token is stored only as a digest (`OnCallFeed`) and can be revoked.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from post_program.models import Site, Weekday


class OnCallShift(models.Model):
    """Every week on `weekday`, from `starts` to `ends` (wall-clock times; an end at or before
    the start runs past midnight into the next day), `user` is on call at `site` at
    `position` (1 = first call)."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="on_call_shifts")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="on_call_shifts"
    )
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    starts = models.TimeField()
    ends = models.TimeField(help_text=_("At or before the start: the shift ends the next day."))
    position = models.PositiveSmallIntegerField(default=1, help_text=_("1 is paged first."))

    class Meta:
        ordering = ["site", "weekday", "starts", "position", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(weekday__lte=6), name="on_call_shift_weekday"),
            models.CheckConstraint(condition=Q(position__gte=1), name="on_call_shift_position"),
            models.UniqueConstraint(
                fields=["site", "user", "weekday", "starts"], name="on_call_shift_once"
            ),
        ]

    def __str__(self) -> str:
        return f"On-call shift {self.pk} at site {self.site_id}"


class ExceptionKind(models.TextChoices):
    OFF = "off", _("Not on call")
    COVER = "cover", _("On call (covering)")


class OnCallException(models.Model):
    """From `starts_at` to `ends_at`, `user` is off call at `site` whatever the weekly pattern
    says (OFF), or on call at `position` (COVER)."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="on_call_exceptions")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="on_call_exceptions"
    )
    kind = models.CharField(max_length=5, choices=ExceptionKind.choices)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    position = models.PositiveSmallIntegerField(default=1, help_text=_("For a cover: 1 is first."))

    class Meta:
        ordering = ["site", "starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="on_call_exception_ends_after_start"
            ),
            models.CheckConstraint(condition=Q(position__gte=1), name="on_call_exception_position"),
        ]

    def __str__(self) -> str:
        return f"On-call exception {self.pk} at site {self.site_id}"


class OnCallFeed(models.Model):
    """A person's private calendar feed of their own on-call shifts. Issuing a new token
    replaces the old one; deleting the row revokes the feed."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="on_call_feed"
    )
    token_digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"On-call feed of user {self.user_id}"
