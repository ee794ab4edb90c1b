from django.urls import path

from . import views

app_name = "training"

urlpatterns = [
    path("", views.session_list, name="session_list"),
    path("sessions/new/", views.session_create, name="session_create"),
    path("sessions/<int:pk>/", views.session_detail, name="session_detail"),
    path("sessions/<int:pk>/edit/", views.session_update, name="session_update"),
    path("sessions/<int:pk>/calendar.ics", views.session_ics, name="session_ics"),
    path("sessions/<int:pk>/sign-up/", views.session_signup, name="session_signup"),
    path("sessions/<int:pk>/attendance/", views.session_attendance, name="session_attendance"),
    path("enrollments/<int:pk>/cancel/", views.enrollment_cancel, name="enrollment_cancel"),
    path("courses/", views.course_list, name="course_list"),
    path("courses/new/", views.course_create, name="course_create"),
    path("courses/<int:pk>/edit/", views.course_update, name="course_update"),
    path("completions/new/", views.completion_create, name="completion_create"),
    path("status/", views.training_status, name="training_status"),
    path(
        "physicians/<int:physician_pk>/activate/",
        views.supporter_activate,
        name="supporter_activate",
    ),
    path("mine/", views.my_training, name="my_training"),
]
