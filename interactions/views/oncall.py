"""The on-call calendar of a site (one week, who is on call when, the weekly pattern and its
exceptions, and the forms that change them) and each person's private calendar feed of their
own shifts. Names on the roster are the staff on call; nothing here says anything about a
referral."""

from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from post_program.access import require
from post_program.i18n import in_language_of
from post_program.ics import Event, calendar
from post_program.models import Site, User

from .. import selectors, services
from ..access import (
    can_edit_everyones_on_call,
    can_edit_on_call,
    can_hold_on_call_feed,
    can_view_on_call,
    get_on_call_exception_or_404,
    get_on_call_shift_or_404,
    get_on_call_site_or_404,
    on_call_sites_visible_to,
)
from ..forms import OnCallExceptionForm, OnCallShiftForm
from ..selectors import midnight, position_label

WEEK = timedelta(days=7)
# The feed: the past week (what a calendar already shows stays) and the next eight.
FEED_PAST = timedelta(weeks=1)
FEED_AHEAD = timedelta(weeks=8)
FEED_PRODID = "-//POST peer support//On-call calendar//EN"
# The weeks the calendar shows: a roster is planned for years, not for centuries.
YEARS = range(2000, 2200)
# A page or file that holds a feed token is kept by no cache. The page's own address holds no
# token (the program's referrer policy, same-origin, serves it; "no-referrer" would make the
# browser send its forms with a null Origin, which CSRF checks refuse); the feed's address is the
# token, so nothing fetched from the feed may name it.
NO_STORE = "private, no-store"


def _week_asked(request) -> date:
    """The Monday of the week asked for (`?week=`, any day of it), else of this week."""
    try:
        day = date.fromisoformat(request.GET.get("week", ""))
    except ValueError:
        day = timezone.localdate()
    if day.year not in YEARS:
        day = timezone.localdate()
    return day - timedelta(days=day.weekday())


def _site_asked(request) -> Site:
    """The site asked for (`?site=`), else the first the user sees; 404 for one they do not."""
    asked = request.GET.get("site", "")
    if asked:
        if not asked.isdigit():
            raise Http404
        return get_on_call_site_or_404(request.user, int(asked))
    site = on_call_sites_visible_to(request.user).order_by("name", "pk").first()
    if site is None:
        raise Http404
    return site


def _calendar_url(site: Site, monday: date) -> str:
    query = urlencode({"site": site.pk, "week": monday.isoformat()})
    return f"{reverse('on_call:calendar')}?{query}"


def _people(user, site: Site):
    """Whom the user may put on call at `site`: everyone eligible (its coordinators and active
    supporters) for those who edit everyone's shifts, or only themself (a volunteer)."""
    people = User.objects.filter(services.on_call_eligible(site))
    if not can_edit_everyones_on_call(user, site):
        people = people.filter(pk=user.pk)
    return people.distinct().order_by("name", "email")


def _forms(request, site: Site, monday: date, *, bound: str = ""):
    """The shift and the exception forms, the one named `bound` bound to what was posted."""
    query = urlencode({"site": site.pk, "week": monday.isoformat()})
    people = _people(request.user, site)
    forms = []
    for which, form_class in (("shift", OnCallShiftForm), ("exception", OnCallExceptionForm)):
        data = request.POST if which == bound else None
        action = f"{reverse(f'on_call:{which}_add')}?{query}"
        forms.append(form_class(data, people=people, action=action))
    return forms


def _calendar_page(request, site: Site, monday: date, *, forms=None, status: int = 200):
    week = selectors.on_call_week(site_id=site.pk, monday=monday)
    shift_form, exception_form = forms or _forms(request, site, monday)
    user = request.user
    sites = list(on_call_sites_visible_to(user).order_by("name", "pk"))
    return render(
        request,
        "interactions/on_call_calendar.html",
        {
            "site": site,
            "sites": sites if len(sites) > 1 else [],
            "monday": monday,
            "sunday": monday + timedelta(days=6),
            "previous_url": _calendar_url(site, monday - WEEK),
            "next_url": _calendar_url(site, monday + WEEK),
            "this_url": _calendar_url(site, monday),
            "days": week.days,
            "shifts": [
                (shift, position_label(shift.position), can_edit_on_call(user, site, shift.user_id))
                for shift in week.shifts
            ],
            "exceptions": [
                (e, position_label(e.position), can_edit_on_call(user, site, e.user_id))
                for e in week.exceptions
            ],
            "edits_everyone": can_edit_everyones_on_call(user, site),
            "shift_form": shift_form,
            "exception_form": exception_form,
        },
        status=status,
    )


@require_GET
@require(can_view_on_call)
def on_call_calendar(request):
    return _calendar_page(request, _site_asked(request), _week_asked(request))


def _refused(form, error: services.OnCallError) -> None:
    for field, message in error.errors.items():
        form.add_error(field if field in form.fields else None, message)


def _add(request, *, which: str, add, done: str, week_of):
    """Add what the form `which` ("shift" or "exception") describes through `add`, then back
    to the calendar at the week `week_of(cleaned_data)` (or None: the week shown); else the
    calendar again (400) with the form's errors and nothing changed."""
    site, monday = _site_asked(request), _week_asked(request)
    forms = _forms(request, site, monday, bound=which)
    form = forms[0] if which == "shift" else forms[1]
    if form.is_valid():
        try:
            add(actor=request.user, site=site, **form.cleaned_data)
        except services.OnCallError as error:
            _refused(form, error)
        else:
            messages.success(request, done)
            return redirect(_calendar_url(site, week_of(form.cleaned_data) or monday))
    return _calendar_page(request, site, monday, forms=forms, status=400)


@require_POST
@require(can_view_on_call)
def on_call_shift_add(request):
    return _add(
        request,
        which="shift",
        add=services.on_call_shift_add,
        done=_("Weekly shift added."),
        week_of=lambda data: None,
    )


@require_POST
@require(can_view_on_call)
def on_call_exception_add(request):
    def week_of(data) -> date:
        day = timezone.localtime(data["starts_at"]).date()
        return day - timedelta(days=day.weekday())

    return _add(
        request,
        which="exception",
        add=services.on_call_exception_add,
        done=_("Time off or cover added; the calendar shows its first week."),
        week_of=week_of,
    )


def _remove(request, thing, *, remove, done: str):
    """Remove `thing` (a shift or an exception) if the user may edit its person's roster."""
    if not can_edit_on_call(request.user, thing.site, thing.user_id):
        raise PermissionDenied
    remove(actor=request.user, obj=thing)
    messages.success(request, done)
    return redirect(_calendar_url(thing.site, _week_asked(request)))


@require_POST
@require(can_view_on_call)
def on_call_shift_remove(request, pk: int):
    return _remove(
        request,
        get_on_call_shift_or_404(request.user, pk),
        remove=lambda actor, obj: services.on_call_shift_remove(actor=actor, shift=obj),
        done=_("Weekly shift removed."),
    )


@require_POST
@require(can_view_on_call)
def on_call_exception_remove(request, pk: int):
    return _remove(
        request,
        get_on_call_exception_or_404(request.user, pk),
        remove=lambda actor, obj: services.on_call_exception_remove(actor=actor, exception=obj),
        done=_("Time off or cover removed."),
    )


# --- the private calendar feed -----------------------------------------------------------------


def _feed_page(request, *, feed_url: str = ""):
    response = render(
        request,
        "interactions/on_call_feed.html",
        {"feed_url": feed_url, "has_feed": selectors.on_call_feed_exists(user=request.user)},
    )
    response["Cache-Control"] = NO_STORE
    return response


@require_GET
@require(can_hold_on_call_feed)
def on_call_feed(request):
    return _feed_page(request)


@require_POST
@require(can_hold_on_call_feed)
def on_call_feed_issue(request):
    """A new feed address, shown this once (the old one stops working)."""
    token = services.on_call_feed_issue(user=request.user)
    path = reverse("on_call:feed_ics", kwargs={"token": token})
    return _feed_page(request, feed_url=request.build_absolute_uri(path))


@require_POST
@require(can_hold_on_call_feed)
def on_call_feed_revoke(request):
    if services.on_call_feed_revoke(user=request.user):
        messages.success(
            request, _("Your calendar feed is stopped: its address opens nothing now.")
        )
    else:
        messages.info(request, _("You had no calendar feed."))
    return redirect("on_call:feed")


def _feed_events(owner: User, *, host: str, url: str) -> list[Event]:
    """The owner's on-call spans from the start of the day a week ago to eight weeks ahead, at
    all their sites. A span's UID is its site, person, start and kind, the same each time the
    feed is read while the roster stays the same (the window starts at midnight, so a span it
    cuts starts at the same moment all day). The summaries are in the owner's language."""
    start = midnight(timezone.localdate()) - FEED_PAST
    spans = selectors.on_call_spans(
        start=start, end=start + FEED_PAST + FEED_AHEAD, user_id=owner.pk
    )
    sites = Site.objects.in_bulk({span.site_id for span in spans})
    events = []
    for span in spans:
        kind = "cover" if span.covering else "shift"
        site = sites[span.site_id]
        values = {"position": position_label(span.position), "site": site.name}
        summary = (
            _("On call (%(position)s, covering) — %(site)s") % values
            if span.covering
            else _("On call (%(position)s) — %(site)s") % values
        )
        events.append(
            Event(
                uid=f"on-call-{kind}-{span.site_id}-{span.user_id}-"
                f"{span.starts_at.timestamp():.0f}@{host}",
                starts_at=span.starts_at,
                ends_at=span.ends_at,
                summary=summary,
                url=f"{url}?{urlencode({'site': site.pk})}",
            )
        )
    return events


@login_not_required
@require_GET
def on_call_feed_ics(request, token: str):
    """A person's own on-call shifts as an iCalendar feed a calendar subscribes to: no sign-in,
    the token in the address is the key (post_program.logs keeps it out of the logs)."""
    owner = selectors.on_call_feed_owner(token)
    if owner is None or not can_hold_on_call_feed(owner):
        raise Http404
    url = request.build_absolute_uri(reverse("on_call:calendar"))
    with in_language_of(owner):
        events = _feed_events(owner, host=request.get_host(), url=url)
        name = _("On call · POST")
    text = calendar(events, prodid=FEED_PRODID, now=timezone.now(), name=name)
    response = HttpResponse(text, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = NO_STORE
    response["Referrer-Policy"] = "no-referrer"
    return response
