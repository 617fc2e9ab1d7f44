from django.urls import path

from egov.office.views import agencies, audit, calendar, home, jobs

app_name = "office"

urlpatterns = [
    path("", home.home, name="home"),
    path("agencies/", agencies.agency_list, name="agencies"),
    path("agencies/<int:pk>/", agencies.agency_detail, name="agency_detail"),
    path("bridge-points/", agencies.bridge_points, name="bridge_points"),
    path("calendar/", calendar.calendar_tool, name="calendar"),
    path("audit/", audit.audit_log, name="audit"),
    path("jobs/", jobs.job_list, name="jobs"),
    path("jobs/<int:pk>/resend/", jobs.job_resend, name="job_resend"),
]
