from django.urls import path

from . import views

urlpatterns = [
    path("campaigns/", views.CampaignListApi.as_view(), name="api-campaign-list"),
    path("campaigns/<slug:slug>/", views.CampaignDetailApi.as_view(), name="api-campaign-detail"),
    path("categories/", views.ItemCategoryListApi.as_view(), name="api-category-list"),
    path("provinces/", views.ProvinceListApi.as_view(), name="api-province-list"),
]
