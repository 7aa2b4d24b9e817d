from django.http import Http404
from django.shortcuts import render

from .selectors import campaign_get_public, campaign_list_public


def home(request):
    return render(request, "campaigns/home.html", {"campaigns": campaign_list_public()})


def campaign_detail(request, slug: str):
    campaign = campaign_get_public(slug=slug)
    if campaign is None:
        raise Http404
    return render(
        request,
        "campaigns/detail.html",
        {"campaign": campaign, "page_url": request.build_absolute_uri(campaign.get_absolute_url())},
    )
