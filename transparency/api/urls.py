from django.urls import path

from . import views

urlpatterns = [
    path("campaigns/<slug:slug>/totals/", views.CampaignTotalsApi.as_view(), name="api-campaign-totals"),
    path("campaigns/<slug:slug>/provinces/", views.CampaignProvincesApi.as_view(), name="api-campaign-provinces"),
    path("campaigns/<slug:slug>/goods/", views.CampaignGoodsApi.as_view(), name="api-campaign-goods"),
    path("campaigns/<slug:slug>/daily/", views.CampaignDailyApi.as_view(), name="api-campaign-daily"),
    path("campaigns/<slug:slug>/allocations/", views.CampaignAllocationsApi.as_view(), name="api-campaign-allocations"),
    path("campaigns/<slug:slug>/journal/", views.CampaignJournalApi.as_view(), name="api-campaign-journal"),
    path("campaigns/<slug:slug>/journal/heads/", views.CampaignJournalHeadsApi.as_view(),
         name="api-campaign-journal-heads"),
    path("campaigns/<slug:slug>/3w/", views.Campaign3wApi.as_view(), name="api-campaign-3w"),
]
