"""The public pages and files of the read side: every campaign and, per campaign, its dashboard,
allocations, provinces and journal, and the open-data files."""

from django.urls import path, re_path

from .views import opendata, pages

app_name = "transparency"

urlpatterns = [
    path("", pages.home, name="home"),
    path("campaigns/<slug:slug>/", pages.campaign_dashboard, name="campaign"),
    path("campaigns/<slug:slug>/allocations/", pages.campaign_allocations, name="allocations"),
    re_path(r"^campaigns/(?P<slug>[-a-zA-Z0-9_]+)/provinces/(?P<code>[0-9]{2})/$", pages.campaign_province,
            name="province"),
    path("campaigns/<slug:slug>/journal/", pages.campaign_journal, name="journal"),
    path("campaigns/<slug:slug>/totals.csv", opendata.totals_csv, name="totals_csv"),
    path("campaigns/<slug:slug>/provinces.csv", opendata.provinces_csv, name="provinces_csv"),
    path("campaigns/<slug:slug>/province-goods.csv", opendata.province_goods_csv, name="province_goods_csv"),
    path("campaigns/<slug:slug>/goods.csv", opendata.goods_csv, name="goods_csv"),
    path("campaigns/<slug:slug>/daily.csv", opendata.daily_csv, name="daily_csv"),
    path("campaigns/<slug:slug>/allocations.csv", opendata.allocations_csv, name="allocations_csv"),
    path("campaigns/<slug:slug>/3w.csv", opendata.hxl_3w_csv, name="hxl_3w_csv"),
    path("campaigns/<slug:slug>/journal.csv", opendata.journal_csv, name="journal_csv"),
    path("campaigns/<slug:slug>/journal-heads.csv", opendata.journal_heads_csv, name="journal_heads_csv"),
    path("categories.csv", opendata.categories_csv, name="categories_csv"),
]
