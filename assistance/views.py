"""Public pages: register a need, follow it by its tracking code. Never a person's data on the page
that anyone holding the code can open."""

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from campaigns.models import Campaign
from campaigns.selectors import campaign_get_public
from ledger.forms import add_service_errors

from .forms import NeedForm
from .models import NeedRegistration
from .selectors import (
    entitlement_summary,
    programmes_open,
    registration_get_public,
    registration_points,
)
from .services import need_register


@sensitive_post_parameters("citizen_id", "phone")
@require_http_methods(["GET", "POST"])
def need_register_page(request, slug: str):
    campaign = campaign_get_public(slug=slug)
    if campaign is None:
        raise Http404
    programmes = programmes_open(campaign=campaign, channel=NeedRegistration.Channel.WEB)
    if campaign.status != Campaign.Status.ACTIVE or not programmes:
        return render(request, "assistance/help_closed.html", {"campaign": campaign})
    for programme in programmes:
        programme.entitlement = entitlement_summary(programme=programme)
    form = NeedForm(request.POST or None, programmes=programmes)
    if request.method == "POST" and form.is_valid():
        try:
            registration = need_register(programme=form.cleaned_data["programme"], data=form.need_data())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect(f"{registration.get_absolute_url()}?new=1")
    return render(
        request, "assistance/help.html", {"campaign": campaign, "form": form, "programmes": programmes},
        status=400 if request.method == "POST" else 200,
    )


def tracking(request, code: str):
    registration = registration_get_public(code=code)
    if registration is None:
        raise Http404
    return render(request, "assistance/tracking.html", {
        "registration": registration, "new": request.GET.get("new") == "1",
        "entitlement": entitlement_summary(programme=registration.programme),
        "points": registration_points(registration=registration),
    })


def tracking_lookup(request):
    code = request.GET.get("code", "").strip()[:20]
    if code:
        registration = registration_get_public(code=code)
        if registration is not None:
            return redirect(registration.get_absolute_url())
    return render(request, "assistance/tracking_lookup.html", {"code": code, "not_found": bool(code)},
                  status=404 if code else 200)
