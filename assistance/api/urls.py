from django.urls import path

from . import views

urlpatterns = [
    path("needs/", views.NeedCreateApi.as_view(), name="api-need-create"),
    path("needs/<str:code>/", views.NeedDetailApi.as_view(), name="api-need-detail"),
    path("wards/", views.WardListApi.as_view(), name="api-ward-list"),
    path("campaigns/<slug:slug>/assistance/", views.CampaignAssistanceApi.as_view(), name="api-campaign-assistance"),
]
