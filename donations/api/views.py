from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from campaigns.api.serializers import DropOffPointSerializer, ReceivingAccountSerializer
from campaigns.cached import campaign_open_or_closed
from donations.models import Donor, Pledge
from donations.selectors import (
    dropoff_points_for,
    pledge_get_public,
    pledge_vietqr,
)
from donations.services import pledge_create
from ledger.models import Kind
from ledger.services import ItemLine
from relief_portal.throttling import PledgeCreateThrottle

from .serializers import PledgeCreateInputSerializer, PledgeItemOutputSerializer, PledgePublicSerializer

DONOR_FIELDS = {f.name for f in Donor._meta.get_fields()} - {"id", "kind", "pledges", "receipts", "created_at"}


class PledgeCreatedSerializer(PledgePublicSerializer):
    vietqr = serializers.CharField(allow_null=True)
    qr_png = serializers.URLField(allow_null=True)
    qr_svg = serializers.URLField(allow_null=True)
    account = ReceivingAccountSerializer(allow_null=True)
    dropoff_points = DropOffPointSerializer(many=True)

    class Meta(PledgePublicSerializer.Meta):
        fields = [*PledgePublicSerializer.Meta.fields, "vietqr", "qr_png", "qr_svg", "account", "dropoff_points"]


class PledgeCreateApi(APIView):
    """Pledge cash or goods to an active campaign. Returns the reference and how to pay."""

    authentication_classes: list = []
    throttle_classes = [PledgeCreateThrottle]

    @extend_schema(request=PledgeCreateInputSerializer, responses={201: PledgeCreatedSerializer})
    def post(self, request):
        given = PledgeCreateInputSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        # as this process keeps it a few seconds, with its accounts: usually no query at all
        campaign = campaign_open_or_closed(given.validated_data["campaign"])
        if campaign is None:
            raise ValidationError({"campaign": [_("Unknown campaign.")]})
        pledged = given.pledge_data()
        try:
            pledge = pledge_create(
                campaign=campaign,
                donor=given.donor_data(),
                pledge=pledged,
                source=Pledge.Source.API,
            )
        except DjangoValidationError as exc:
            raise ValidationError(_nest_donor_errors(exc.message_dict)) from exc
        return Response(_created_body(request, pledge, lines=pledged.items), status=status.HTTP_201_CREATED)


def _nest_donor_errors(errors: dict) -> dict:
    nested: dict = {}
    for field, messages in errors.items():
        if field in DONOR_FIELDS:
            nested.setdefault("donor", {})[field] = messages
        else:
            nested[field] = messages
    return nested


class _PledgeHeadSerializer(PledgePublicSerializer):
    """The public pledge but its goods lines."""

    class Meta(PledgePublicSerializer.Meta):
        fields = [name for name in PledgePublicSerializer.Meta.fields if name != "items"]


# The answer's serializers, built once per process: building a serializer's fields (a model
# serializer's from its model) costs more than writing a pledge's answer with them, and writing
# (`to_representation`) keeps nothing on the serializer.
_HEAD, _ITEMS = _PledgeHeadSerializer(), PledgeItemOutputSerializer(many=True)
_ACCOUNT, _DROPOFF_POINTS = ReceivingAccountSerializer(), DropOffPointSerializer(many=True)


def _created_body(request, pledge: Pledge, *, lines: list[ItemLine]) -> dict:
    """The public pledge and how to pay or where to bring the goods, from what was just written and
    the campaign as read for it (a cash pledge's with its accounts): nothing is read back."""
    head, items = _HEAD.to_representation(pledge), _ITEMS.to_representation(lines)
    body = {name: items if name == "items" else head[name] for name in PledgePublicSerializer.Meta.fields}
    body.update(vietqr=None, qr_png=None, qr_svg=None, account=None, dropoff_points=[])
    account = next(iter(pledge.campaign.accounts.all()), None) if pledge.kind == Kind.CASH else None
    if account is not None:
        kwargs = {"reference": pledge.reference}
        body.update(
            vietqr=pledge_vietqr(pledge=pledge, account=account),
            qr_png=request.build_absolute_uri(reverse("donations:pledge_qr", kwargs={**kwargs, "fmt": "png"})),
            qr_svg=request.build_absolute_uri(reverse("donations:pledge_qr", kwargs={**kwargs, "fmt": "svg"})),
            account=_ACCOUNT.to_representation(account),
        )
    if pledge.kind == Kind.GOODS:
        nearby = dropoff_points_for(campaign_slug=pledge.campaign.slug, province=pledge.donor.province)
        body["dropoff_points"] = _DROPOFF_POINTS.to_representation(nearby)
    return body


class PledgeDetailApi(generics.RetrieveAPIView):
    """A pledge by its reference: status and public fields only."""

    serializer_class = PledgePublicSerializer

    def get_object(self):
        pledge = pledge_get_public(reference=self.kwargs["reference"])
        if pledge is None:
            raise Http404
        return pledge
