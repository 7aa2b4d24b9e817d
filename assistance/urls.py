from django.urls import path

from . import views

app_name = "assistance"

urlpatterns = [
    path("campaigns/<slug:slug>/help/", views.need_register_page, name="help"),
    path("help/", views.tracking_lookup, name="tracking_lookup"),
    path("help/<str:code>/", views.tracking, name="tracking"),
]
