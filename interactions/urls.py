from django.urls import path

from . import views

app_name = "interactions"

urlpatterns = [
    path("request/", views.referral_request, name="referral_request"),
    path("request/colleagues/", views.roster_search, name="roster_search"),
    path("request/sent/", views.referral_submitted, name="referral_submitted"),
    path("mine/", views.my_requests, name="my_requests"),
    path("supporters/", views.supporter_directory, name="supporter_directory"),
    path("queue/", views.queue, name="queue"),
    path("events/new/", views.event_record, name="event_record"),
    path("cases/", views.case_list, name="case_list"),
    path("<int:pk>/", views.referral_detail, name="referral_detail"),
    path("<int:pk>/assign/", views.referral_assign, name="referral_assign"),
    path("<int:pk>/accept/", views.referral_accept, name="referral_accept"),
    path("<int:pk>/decline/", views.referral_decline, name="referral_decline"),
]
