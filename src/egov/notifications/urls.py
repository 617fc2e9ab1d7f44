from django.urls import path

from egov.notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.log_list, name="log"),
    path("<int:pk>/resend/", views.resend, name="resend"),
]
