from django.urls import path

from . import views

app_name = "reporting"

urlpatterns = [
    path("", views.index, name="index"),
    path("program/", views.program_dashboard, name="program_dashboard"),
    path("sites/<int:pk>/", views.site_dashboard, name="site_dashboard"),
    path("departments/<int:pk>/", views.department_dashboard, name="department_dashboard"),
    path("exports/", views.export_list, name="export_list"),
    path("exports/new/", views.export_create, name="export_create"),
    path("exports/<int:pk>/", views.export_detail, name="export_detail"),
    path("exports/<int:pk>/progress/", views.export_progress, name="export_progress"),
    path("exports/<int:pk>/download/", views.export_download, name="export_download"),
    path("research/", views.research_export, name="research_export"),
    path("prism/", views.prism_note_list, name="prism_note_list"),
    path("prism/new/", views.prism_note_create, name="prism_note_create"),
    path("prism/<int:pk>/edit/", views.prism_note_update, name="prism_note_update"),
    path("prism/<int:pk>/delete/", views.prism_note_delete, name="prism_note_delete"),
]
