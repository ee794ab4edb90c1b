"""Who may see and do what in training.

The calendar is open to everyone in the program. A physician signs up themself, a lead the
physicians of their departments, the director anyone. Who signed up is seen by the director,
the session's facilitator, the leads and coordinators of the physician's department or site,
and the physician. Attendance and completion: the facilitator or the director. Activation of
a trained physician: a coordinator of their site or the director.

Conventions as in `post_program.access`; `docs/confidentiality.md` says who sees what.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from post_program.access import departments_visible_to, physicians_visible_to, roles_for
from post_program.models import Physician

from .models import Enrollment, TrainingSession


def can_view_training_calendar(user) -> bool:
    return bool(roles_for(user).names)


def can_manage_training(user) -> bool:
    """Schedule sessions, keep the course list, enter completions by hand."""
    return roles_for(user).is_director


def physicians_signable_by(user) -> QuerySet[Physician]:
    """Roster entries this user may sign up for training (themself included)."""
    from django.utils import timezone

    roles = roles_for(user)
    physicians = Physician.objects.employed_on(timezone.localdate())
    if roles.is_director:
        return physicians
    own = roles.physician.pk if roles.physician else None
    return physicians.filter(Q(department_id__in=roles.lead_department_ids) | Q(pk=own))


def can_sign_up_for_training(user) -> bool:
    roles = roles_for(user)
    return roles.is_director or roles.is_lead or roles.is_physician


def can_record_attendance(user, session) -> bool:
    return roles_for(user).is_director or session.facilitator_id == user.pk


def get_training_session_or_404(user, pk: int):

    if not can_view_training_calendar(user):
        raise PermissionDenied
    try:
        return TrainingSession.objects.select_related("course", "facilitator").get(pk=pk)
    except TrainingSession.DoesNotExist:
        raise Http404 from None


def enrollments_visible_to(user):

    roles = roles_for(user)
    enrollments = Enrollment.objects.all()
    if roles.is_director:
        return enrollments
    if not roles.names:
        return enrollments.none()
    return enrollments.filter(
        Q(session__facilitator=user)
        | Q(physician__department__in=departments_visible_to(user).values("pk"))
        | Q(physician__user=user)
    )


def get_enrollment_or_404(user, pk: int):

    try:
        return enrollments_visible_to(user).select_related("physician", "session").get(pk=pk)
    except Enrollment.DoesNotExist:
        raise Http404 from None


def can_cancel_enrollment(user, enrollment) -> bool:
    roles = roles_for(user)
    return (
        roles.is_director
        or enrollment.physician.user_id == user.pk
        or enrollment.physician.department_id in roles.lead_department_ids
    )


def can_view_training_status(user) -> bool:
    """The training status of supporters and trainees in the departments one may see."""
    roles = roles_for(user)
    return roles.is_director or roles.is_coordinator or roles.is_lead


def get_trainee_or_404(user, pk: int) -> Physician:
    """A roster entry whose training the user may see (their departments), else 404."""
    try:
        return physicians_visible_to(user).select_related("department").get(pk=pk)
    except Physician.DoesNotExist:
        raise Http404 from None


def can_activate_supporter(user, physician: Physician) -> bool:
    roles = roles_for(user)
    return roles.is_director or physician.department.site_id in roles.coordinator_site_ids


def can_view_own_training(user) -> bool:
    return roles_for(user).is_physician
