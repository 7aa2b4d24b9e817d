from django.urls import path

from . import views

urlpatterns = [
    path("pledges/", views.PledgeCreateApi.as_view(), name="api-pledge-create"),
    path("pledges/<str:reference>/", views.PledgeDetailApi.as_view(), name="api-pledge-detail"),
]
