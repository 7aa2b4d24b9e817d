from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_post_parameters
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from campaigns.models import Campaign
from campaigns.selectors import campaign_get_public

from ..models import NeedRegistration, SupportProgramme, Ward
from ..selectors import (
    assistance_public_figures_cached,
    programmes_open,
    registration_get_public,
)
from ..services import need_register
from .serializers import (
    NeedCreateInputSerializer,
    NeedPublicSerializer,
    ProgrammeFiguresSerializer,
    WardQuerySerializer,
    WardSerializer,
)


class NeedRegisterThrottle(AnonRateThrottle):
    scope = "need_register"


NeedCreatedSerializer = inline_serializer("NeedCreated", {
    "code": serializers.CharField(), "status": serializers.CharField(), "tracking_url": serializers.URLField(),
})


@method_decorator(sensitive_post_parameters("citizen_id", "phone"), name="dispatch")
class NeedCreateApi(APIView):
    """Register a need for help. Returns the tracking code only, never the data sent."""

    authentication_classes: list = []
    throttle_classes = [NeedRegisterThrottle]

    @extend_schema(request=NeedCreateInputSerializer, responses={201: NeedCreatedSerializer})
    def post(self, request):
        given = NeedCreateInputSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        programme = self._programme(given.validated_data)
        try:
            registration = need_register(programme=programme, data=given.need_data(), channel=NeedRegistration.Channel.API)
        except DjangoValidationError as exc:
            raise ValidationError(exc.message_dict) from exc
        url = request.build_absolute_uri(reverse("assistance:tracking", kwargs={"code": registration.code}))
        return Response({"code": registration.code, "status": registration.status, "tracking_url": url},
                        status=status.HTTP_201_CREATED)

    @staticmethod
    def _programme(data) -> SupportProgramme:
        campaign = Campaign.objects.public().filter(slug=data["campaign"]).first()
        if campaign is None:
            raise ValidationError({"campaign": [_("Unknown campaign.")]})
        if data.get("programme") is not None:
            programme = campaign.programmes.filter(pk=data["programme"]).first()
            if programme is None:
                raise ValidationError({"programme": [_("Unknown programme.")]})
            return programme
        open_now = programmes_open(campaign=campaign, channel=NeedRegistration.Channel.API)
        if len(open_now) != 1:
            raise ValidationError({"programme": [
                _("This campaign is not taking requests for help now.") if not open_now
                else _("Choose a programme: this campaign has several open.")
            ]})
        return open_now[0]


class NeedDetailApi(APIView):
    """A request for help by its tracking code: status and reason only."""

    @extend_schema(responses={200: NeedPublicSerializer})
    def get(self, request, code: str):
        registration = registration_get_public(code=code)
        if registration is None:
            raise Http404
        return Response(NeedPublicSerializer(registration).data)


class WardListApi(APIView):
    """The communes, wards and special zones of a province of the 2025 map."""

    @extend_schema(parameters=[OpenApiParameter("province", str, required=True, description="2025 province code, e.g. 15")],
                   responses={200: WardSerializer(many=True)})
    def get(self, request):
        query = WardQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        wards = Ward.objects.filter(province=query.validated_data["province"]).select_related("province").order_by("sort_key")
        return Response(WardSerializer(wards, many=True).data)


class CampaignAssistanceApi(APIView):
    """People helped by a campaign's programmes: counts and amounts per province and ward, no person."""

    @extend_schema(responses={200: ProgrammeFiguresSerializer(many=True)})
    def get(self, request, slug: str):
        campaign = campaign_get_public(slug=slug)
        if campaign is None:
            raise Http404
        return Response(ProgrammeFiguresSerializer(assistance_public_figures_cached(campaign=campaign), many=True).data)
