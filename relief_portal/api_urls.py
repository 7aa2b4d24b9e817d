from django.urls import include, path

urlpatterns = [
    path("", include("campaigns.api.urls")),
    path("", include("donations.api.urls")),
    path("", include("transparency.api.urls")),
]
