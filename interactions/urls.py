from django.urls import path

from . import views

app_name = "interactions"

urlpatterns = [
    path("request/", views.referral_request, name="referral_request"),
    path("request/colleagues/", views.roster_search, name="roster_search"),
    path("request/sent/", views.referral_submitted, name="referral_submitted"),
    path("mine/", views.my_requests, name="my_requests"),
    path("receipt/", views.request_receipt, name="request_receipt"),
    path("supporters/", views.supporter_directory, name="supporter_directory"),
    path("supporters/load/", views.supporter_load, name="supporter_load"),
    path("debriefs/<int:pk>/held/", views.debrief_held, name="debrief_held"),
    path("queue/", views.queue, name="queue"),
    path("events/new/", views.event_record, name="event_record"),
    path("calls/new/", views.call_record, name="call_record"),
    path("cases/", views.case_list, name="case_list"),
    path("interactions/", views.interaction_list, name="interaction_list"),
    path("interactions/new/", views.interaction_new, name="interaction_new"),
    path("availability/", views.availability, name="availability"),
    path("availability/away/", views.away_period_add, name="away_period_add"),
    path(
        "availability/away/<int:pk>/remove/",
        views.away_period_remove,
        name="away_period_remove",
    ),
    path("availability/contact-hours/", views.contact_window_add, name="contact_window_add"),
    path(
        "availability/contact-hours/<int:pk>/remove/",
        views.contact_window_remove,
        name="contact_window_remove",
    ),
    path("availability/conflicts/", views.conflict_declare, name="conflict_declare"),
    path(
        "availability/conflicts/<int:physician_pk>/withdraw/",
        views.conflict_withdraw,
        name="conflict_withdraw",
    ),
    path("care/", views.supporter_care, name="supporter_care"),
    path("care/debrief/", views.debrief_request, name="debrief_request"),
    path("<int:pk>/", views.referral_detail, name="referral_detail"),
    path("<int:pk>/assign/", views.referral_assign, name="referral_assign"),
    path("<int:pk>/link/", views.referral_link_physician, name="referral_link_physician"),
    path("<int:pk>/accept/", views.referral_accept, name="referral_accept"),
    path("<int:pk>/decline/", views.referral_decline, name="referral_decline"),
    path("<int:pk>/outreach/", views.referral_outreach, name="referral_outreach"),
    path(
        "<int:pk>/interactions/new/",
        views.referral_interaction_log,
        name="referral_interaction_log",
    ),
    path("<int:pk>/close/", views.referral_close_case, name="referral_close"),
    path("<int:pk>/handoff-note/", views.referral_handoff_note, name="referral_handoff_note"),
    path("<int:pk>/hand-back/", views.referral_hand_back, name="referral_hand_back"),
]
# Paging of urgent referrals: the coordinators' button, and the reply link of a page.
urlpatterns += [
    path("<int:pk>/acknowledge/", views.referral_acknowledge, name="referral_acknowledge"),
    path("page/<str:token>/", views.page_acknowledge, name="page_acknowledge"),
]
