"""Training pages: the calendar, a session and its sign-ups, attendance, the courses, the
training status of supporters, and one's own record. Views parse, ask the access modules, call a
service and render or redirect."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from post_program import program_settings
from post_program.access import departments_visible_to, require, roles_for

from . import selectors, services
from .access import (
    can_activate_supporter,
    can_cancel_enrollment,
    can_manage_training,
    can_record_attendance,
    can_sign_up_for_training,
    can_view_own_training,
    can_view_training_calendar,
    can_view_training_status,
    enrollments_visible_to,
    get_enrollment_or_404,
    get_trainee_or_404,
    get_training_session_or_404,
    physicians_signable_by,
)
from .forms import (
    AttendanceForm,
    CompletionForm,
    CourseForm,
    SessionForm,
    SignUpForm,
    StatusFilterForm,
)
from .ics import session_calendar
from .models import Course, Enrollment

# --- Calendar and sessions ------------------------------------------------------------------


@require_GET
@require(can_view_training_calendar)
def session_list(request):
    """Upcoming sessions; the director and facilitators also see recent past ones."""
    now = timezone.now()
    page = Paginator(selectors.sessions_upcoming(now=now), 25).get_page(request.GET.get("page"))
    roles = roles_for(request.user)
    mine = {}
    if roles.physician:
        mine = dict(
            Enrollment.objects.filter(physician=roles.physician, session__in=[s.pk for s in page])
            .exclude(status=Enrollment.Status.CANCELLED)
            .values_list("session_id", "status")
        )
    for session in page:
        session.my_status = Enrollment.Status(mine[session.pk]).label if session.pk in mine else ""
        session.seats_left = max(session.capacity - session.seats_taken, 0)
    recent = selectors.sessions_past(now=now).filter(ends_at__gte=now - timedelta(days=90))
    if not roles.is_director:
        recent = recent.filter(facilitator=request.user)
    return render(
        request,
        "training/session_list.html",
        {
            "page": page,
            "recent": recent[:20],
            "can_manage": can_manage_training(request.user),
        },
    )


def _session_detail_context(request, session, *, signup_form=None):
    user = request.user
    roles = roles_for(user)
    enrollments = list(
        selectors.session_enrollments(session=session, visible=enrollments_visible_to(user))
    )
    for enrollment in enrollments:
        enrollment.can_cancel = enrollment.is_live and can_cancel_enrollment(user, enrollment)
    started = session.has_started()
    signable = physicians_signable_by(user)
    own = roles.physician
    own_live = own is not None and any(
        e.physician_id == own.pk and e.status != Enrollment.Status.CANCELLED for e in enrollments
    )
    others_signable = roles.is_director or roles.is_lead
    if signup_form is None and others_signable and not started:
        signup_form = SignUpForm(physicians=signable)
    return {
        "session": session,
        "seats_left": max(session.capacity - session.seats_taken, 0),
        "enrollments": enrollments,
        "started": started,
        "signup_form": signup_form if others_signable else None,
        "can_sign_up_self": (
            own is not None and not started and not own_live and signable.filter(pk=own.pk).exists()
        ),
        "own": own,
        "can_attendance": can_record_attendance(user, session),
        "can_manage": can_manage_training(user),
    }


@require_GET
def session_detail(request, pk: int):
    get_training_session_or_404(request.user, pk)
    session = selectors.session_with_counts(pk=pk)
    return render(
        request, "training/session_detail.html", _session_detail_context(request, session)
    )


@require_http_methods(["GET", "POST"])
@require(can_manage_training)
def session_create(request):
    form = SessionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            session = services.session_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The session is on the calendar."))
            return redirect("training:session_detail", pk=session.pk)
    return render(request, "training/session_form.html", {"form": form, "session": None})


@require_http_methods(["GET", "POST"])
@require(can_manage_training)
def session_update(request, pk: int):
    session = get_training_session_or_404(request.user, pk)
    form = SessionForm(request.POST or None, instance=session)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.changed_data}
        try:
            if fields:
                services.session_update(actor=request.user, session=session, **fields)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The session is saved."))
            return redirect("training:session_detail", pk=session.pk)
    return render(request, "training/session_form.html", {"form": form, "session": session})


@require_GET
def session_ics(request, pk: int):
    session = get_training_session_or_404(request.user, pk)
    url = request.build_absolute_uri(reverse("training:session_detail", args=[session.pk]))
    text = session_calendar(session, url=url, host=request.get_host(), now=timezone.now())
    response = HttpResponse(text, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="training-session-{session.pk}.ics"'
    return response


@require_POST
@require(can_sign_up_for_training)
def session_signup(request, pk: int):
    """Sign a physician up: oneself, or (lead, director) someone one may sign up."""
    get_training_session_or_404(request.user, pk)
    session = selectors.session_with_counts(pk=pk)
    signable = physicians_signable_by(request.user)
    if "find" in request.POST:
        # The name search of a long roster: the same page, the list narrowed to the matches.
        found = SignUpForm(initial={"name": request.POST.get("name", "")}, physicians=signable)
        context = _session_detail_context(request, session, signup_form=found)
        return render(request, "training/session_detail.html", context)
    form = SignUpForm(request.POST, physicians=signable)
    if form.is_valid():
        physician = form.cleaned_data["physician"]
        try:
            enrollment = services.enrollment_create(
                actor=request.user, session=session, physician=physician
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if enrollment.status == Enrollment.Status.WAITLISTED:
                messages.info(
                    request,
                    _("The session is full: %(physician)s is on the waitlist.")
                    % {"physician": physician},
                )
            else:
                messages.success(
                    request, _("%(physician)s is signed up.") % {"physician": physician}
                )
            return redirect("training:session_detail", pk=session.pk)
    context = _session_detail_context(request, session, signup_form=form)
    context["signup_errors"] = form.errors
    return render(request, "training/session_detail.html", context, status=400)


@require_POST
def enrollment_cancel(request, pk: int):
    enrollment = get_enrollment_or_404(request.user, pk)
    if not can_cancel_enrollment(request.user, enrollment):
        raise PermissionDenied
    try:
        services.enrollment_cancel(actor=request.user, enrollment=enrollment)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The sign-up is cancelled."))
    next_url = request.POST.get("next", "")
    if next_url == "mine" and can_view_own_training(request.user):
        return redirect("training:my_training")
    return redirect("training:session_detail", pk=enrollment.session_id)


@require_http_methods(["GET", "POST"])
def session_attendance(request, pk: int):
    session = get_training_session_or_404(request.user, pk)
    if not can_record_attendance(request.user, session):
        raise PermissionDenied
    seats = (
        Enrollment.objects.filter(
            session=session, status__in=[*Enrollment.SEAT_STATUSES, Enrollment.Status.ABSENT]
        )
        .select_related("physician__department")
        .order_by("physician__name", "pk")
    )
    started = session.has_started()
    form = AttendanceForm(request.POST or None, enrollments=seats)
    if request.method == "POST":
        if not started:
            form.add_error(None, _("Attendance can be recorded once the session has started."))
        elif form.is_valid():
            try:
                completions = services.attendance_record(
                    actor=request.user, session=session, marks=form.marks()
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    ngettext(
                        "Attendance saved; %(count)s completion recorded.",
                        "Attendance saved; %(count)s completions recorded.",
                        len(completions),
                    )
                    % {"count": len(completions)},
                )
                return redirect("training:session_attendance", pk=session.pk)
    return render(
        request,
        "training/session_attendance.html",
        {"session": session, "form": form, "started": started},
    )


# --- Courses and completions ----------------------------------------------------------------


@require_GET
@require(can_manage_training)
def course_list(request):
    return render(
        request, "training/course_list.html", {"courses": Course.objects.order_by("kind", "name")}
    )


@require_http_methods(["GET", "POST"])
@require(can_manage_training)
def course_create(request):
    form = CourseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        course = services.course_create(
            actor=request.user,
            name=data["name"],
            kind=data["kind"],
            hours=data["hours"],
            topics=data["topics"],
        )
        if not data["is_active"]:
            services.course_update(actor=request.user, course=course, is_active=False)
        messages.success(request, _("The course is saved."))
        return redirect("training:course_list")
    return render(request, "training/course_form.html", {"form": form, "course": None})


@require_http_methods(["GET", "POST"])
@require(can_manage_training)
def course_update(request, pk: int):
    course = get_object_or_404(Course, pk=pk)
    form = CourseForm(request.POST or None, instance=course)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.changed_data}
        if fields:
            services.course_update(actor=request.user, course=Course.objects.get(pk=pk), **fields)
        messages.success(request, _("The course is saved."))
        return redirect("training:course_list")
    return render(request, "training/course_form.html", {"form": form, "course": course})


@require_http_methods(["GET", "POST"])
@require(can_manage_training)
def completion_create(request):
    if "find" in request.POST:
        # The name search of the roster: the same form again, the list narrowed to the
        # matches, the other answers kept, and no error for the choice not made yet.
        kept = {key: request.POST.get(key, "") for key in ("name", "course", "completed_on")}
        form = CompletionForm(initial=kept)
        return render(request, "training/completion_form.html", {"form": form})
    form = CompletionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.completion_create(
                actor=request.user,
                physician=data["physician"],
                course=data["course"],
                completed_on=data["completed_on"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The completion is recorded."))
            return redirect("training:training_status")
    return render(request, "training/completion_form.html", {"form": form})


# --- Status, certification and one's own record ---------------------------------------------


@require_GET
@require(can_view_training_status)
def training_status(request):
    """Supporters' training in the departments one may see, and who may be activated."""
    today = timezone.localdate()
    departments = departments_visible_to(request.user)
    form = StatusFilterForm(request.GET or None, departments=departments)
    training = ""
    if form.is_valid():
        if form.cleaned_data["department"]:
            departments = departments.filter(pk=form.cleaned_data["department"].pk)
        training = form.cleaned_data["training"]
    supporters = selectors.supporters_training_status(departments=departments, on=today)
    if training == "current":
        supporters = supporters.filter(is_current=True)
    elif training == "lapsed":
        supporters = supporters.filter(is_current=False)
    page = Paginator(supporters, 50).get_page(request.GET.get("page"))
    soon = today + timedelta(days=settings.REFRESHER_REMINDER_DAYS)
    for supporter in page:
        supporter.current_until = (
            selectors.current_until(supporter.latest_completion)
            if supporter.latest_completion
            else None
        )
        supporter.due_soon = bool(
            supporter.is_current and supporter.current_until and supporter.current_until <= soon
        )
    candidates = list(selectors.activation_candidates(departments=departments, on=today)[:200])
    for physician in candidates:
        physician.can_activate = can_activate_supporter(request.user, physician)
    return render(
        request,
        "training/training_status.html",
        {
            "form": form,
            "page": page,
            "candidates": candidates,
            "today": today,
            "refresher_months": program_settings.get().refresher_months,
            "can_manage": can_manage_training(request.user),
        },
    )


@require_POST
def supporter_activate(request, physician_pk: int):
    """Activate a physician who completed the initial course as a peer supporter."""
    physician = get_trainee_or_404(request.user, physician_pk)
    if not can_activate_supporter(request.user, physician):
        raise PermissionDenied
    try:
        services.supporter_certify(actor=request.user, physician=physician)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("%(physician)s is now an active peer supporter.") % {"physician": physician}
        )
    return redirect("training:training_status")


@require_GET
@require(can_view_own_training)
def my_training(request):
    roles = roles_for(request.user)
    physician = roles.physician
    completions = list(selectors.physician_completions(physician=physician))
    today = timezone.localdate()
    latest = next((c.completed_on for c in completions if c.completed_on <= today), None)
    current_until = selectors.current_until(latest) if latest else None
    enrollments = list(selectors.physician_enrollments(physician=physician))
    now = timezone.now()
    for enrollment in enrollments:
        enrollment.can_cancel = enrollment.is_live and enrollment.session.starts_at > now
    return render(
        request,
        "training/my_training.html",
        {
            "physician": physician,
            "supporter": roles.supporter,
            "completions": completions,
            "enrollments": enrollments,
            "current_until": current_until,
            "is_current": current_until is not None and current_until >= today,
            "due_soon": current_until is not None
            and today <= current_until <= today + timedelta(days=settings.REFRESHER_REMINDER_DAYS),
            "has_initial": any(c.course == "initial" for c in completions),
            "today": today,
        },
    )
