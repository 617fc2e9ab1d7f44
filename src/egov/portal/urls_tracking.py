from django.urls import path

from . import views

urlpatterns = [
    path("tra-cuu/", views.track, name="track"),
    path("tra-cuu/ho-so/<int:pk>/", views.dossier_status, name="dossier"),
    path("tra-cuu/ho-so/<int:pk>/ket-qua/", views.download_result, name="result"),
]
