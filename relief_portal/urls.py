from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerView,
)

from relief_portal.api.views import NotFoundApi
from relief_portal.views import language_switch

urlpatterns = [
    path("language/", language_switch, name="language_switch"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("relief_portal.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="api-redoc"),
    # Keep last of the api/ routes: any other address under api/ is a JSON 404. Only addresses that end
    # in a slash, so that APPEND_SLASH still sends `/api/v1/campaigns` on to `/api/v1/campaigns/`.
    re_path(r"^api/[\s\S]*/$", NotFoundApi.as_view(), name="api-not-found"),
    path("", include("transparency.urls")),
    path("", include("donations.urls")),
    path("", include("assistance.urls")),
]

admin.site.site_header = settings.SITE_NAME
admin.site.site_title = settings.SITE_NAME
