from django.urls import path, re_path

from . import views

app_name = "donations"

urlpatterns = [
    path("campaigns/<slug:slug>/qr.png", views.campaign_qr, name="campaign_qr"),
    path("campaigns/<slug:slug>/donate/", views.donate, name="donate"),
    path("pledges/lookup/", views.pledge_lookup, name="pledge_lookup"),
    path("pledges/<str:reference>/", views.pledge_detail, name="pledge_detail"),
    re_path(r"^pledges/(?P<reference>[A-Za-z0-9]+)/qr\.(?P<fmt>png|svg)$", views.pledge_qr, name="pledge_qr"),
]
