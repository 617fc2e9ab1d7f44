"""Public pages: home, procedure catalog and pages, public statistics (views_public.py).

The portal home is at ``dich-vu-cong/`` because "/" is the officers' home (office:home)."""

from django.urls import path

from . import views_public

urlpatterns = [
    path("dich-vu-cong/", views_public.home, name="home"),
    path("dich-vu-cong/thu-tuc/", views_public.procedures, name="procedures"),
    path("dich-vu-cong/thu-tuc/<str:code>/", views_public.procedure, name="procedure"),
    path("dich-vu-cong/mau-don/<int:pk>/", views_public.paper_template, name="paper_template"),
    path("dich-vu-cong/thong-ke/", views_public.stats, name="stats"),
]
