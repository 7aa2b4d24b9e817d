from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.exceptions import ValidationError

from campaigns.models import ProvinceSet
from campaigns.selectors import (
    campaign_get_public,
    campaign_list_public,
    item_category_list,
    province_list,
)

from .serializers import (
    CampaignDetailSerializer,
    CampaignListSerializer,
    ItemCategorySerializer,
    ProvinceSerializer,
)


class CampaignListApi(generics.ListAPIView):
    """Campaigns open to the public (active and closed), newest first."""

    serializer_class = CampaignListSerializer

    def get_queryset(self):
        return campaign_list_public()


class CampaignDetailApi(generics.RetrieveAPIView):
    serializer_class = CampaignDetailSerializer

    def get_object(self):
        campaign = campaign_get_public(slug=self.kwargs["slug"])
        if campaign is None:
            raise Http404
        return campaign


@extend_schema(
    parameters=[OpenApiParameter("set", OpenApiTypes.STR, enum=["2025", "2008"], description="Administrative map")]
)
class ProvinceListApi(generics.ListAPIView):
    """Provincial units of the 2025 map (default) or the 2008 map, each 2008 unit with its successor."""

    serializer_class = ProvinceSerializer
    pagination_class = None

    def get_queryset(self):
        wanted = self.request.query_params.get("set", ProvinceSet.Y2025)
        if wanted not in ProvinceSet.values:
            raise ValidationError({"set": [_("Use 2025 or 2008.")]})
        return province_list(set=wanted)


class ItemCategoryListApi(generics.ListAPIView):
    """Item categories goods are pledged and counted in: the `category` slug a goods pledge names,
    the names in Vietnamese and English, and the unit quantities are counted in."""

    serializer_class = ItemCategorySerializer
    pagination_class = None

    def get_queryset(self):
        return item_category_list()
