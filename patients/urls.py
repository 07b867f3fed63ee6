from django.urls import path

from patients import views

app_name = "patients"

urlpatterns = [
    path("", views.patient_list, name="list"),
    path("new/", views.patient_create, name="create"),
    path("entered-in-error/", views.patient_in_error_list, name="in_error_list"),
    path("<int:pk>/restore/", views.patient_restore, name="restore"),
    path("<int:pk>/edit/", views.patient_update, name="update"),
    path("<int:pk>/entered-in-error/", views.patient_mark_in_error, name="mark_in_error"),
    path("<int:pk>/end-follow-up/", views.patient_end_follow_up, name="end_follow_up"),
    path("<int:pk>/resume-follow-up/", views.patient_resume_follow_up, name="resume_follow_up"),
    path("<int:pk>/ai-courses/new/", views.ai_course_create, name="ai_course_create"),
    path(
        "<int:pk>/ai-courses/<int:course_pk>/edit/", views.ai_course_update, name="ai_course_update"
    ),
    path(
        "<int:pk>/ai-courses/<int:course_pk>/entered-in-error/",
        views.ai_course_mark_in_error,
        name="ai_course_mark_in_error",
    ),
]
