"""The public pages of the read side: every campaign and, per campaign, its dashboard, allocations,
provinces and journal."""

from django.urls import path, re_path

from .views import pages

app_name = "transparency"

urlpatterns = [
    path("", pages.home, name="home"),
    path("campaigns/<slug:slug>/", pages.campaign_dashboard, name="campaign"),
    path("campaigns/<slug:slug>/allocations/", pages.campaign_allocations, name="allocations"),
    re_path(r"^campaigns/(?P<slug>[-a-zA-Z0-9_]+)/provinces/(?P<code>[0-9]{2})/$", pages.campaign_province,
            name="province"),
    path("campaigns/<slug:slug>/journal/", pages.campaign_journal, name="journal"),
]
