from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_http_methods

from campaigns.selectors import campaign_get_public
from ledger.forms import add_service_errors
from ledger.models import Kind
from relief_portal.client import client_address
from relief_portal.throttling import pledge_rate_limit

from .forms import ItemLineFormSet, PledgeForm, donate_error_summary
from .models import Pledge
from .pages import pledge_page_sections_render
from .selectors import (
    dropoff_points_for,
    pledge_donor_province,
    pledge_get_public,
    pledge_receipt_list,
    pledge_transfer_due,
)
from .services import pledge_create
from .vietqr import qr_png, qr_svg


def _campaign_or_404(slug: str):
    campaign = campaign_get_public(slug=slug)
    if campaign is None:
        raise Http404
    return campaign


@cache_control(max_age=3600, public=True)
def campaign_qr(request, slug: str):
    """A QR code that opens the campaign page: for posters and chat groups."""
    campaign = _campaign_or_404(slug)
    return HttpResponse(qr_png(request.build_absolute_uri(campaign.get_absolute_url())), content_type="image/png")


@require_http_methods(["GET", "POST"])
def donate(request, slug: str):
    campaign = _campaign_or_404(slug)
    if not campaign.is_accepting:
        return render(request, "donations/donate_closed.html", {"campaign": campaign}, status=200)
    form = PledgeForm(request.POST or None)
    items = ItemLineFormSet(request.POST or None, prefix="items")
    items_errors: list[str] = []
    wants_goods = False
    limit = pledge_rate_limit()  # shared with the API, per client address
    throttled = request.method == "POST" and not limit.hit(client_address(request))
    if throttled:
        form.is_valid()  # shows again what was typed, with the reason on top
        form.add_error(None, _("Too many pledges from your network right now. Please wait a little and press "
                               "“Donate now” again."))
    elif request.method == "POST":
        form_ok = form.is_valid()
        wants_goods = form.cleaned_data.get("kind") == Kind.GOODS
        items_ok = items.is_valid() if wants_goods else True
        if form_ok and items_ok:
            lines = [line for line in (f.line() for f in items.forms) if line] if wants_goods else []
            try:
                pledge = pledge_create(campaign=campaign, donor=form.donor_data(), pledge=form.pledge_data(lines))
            except ValidationError as exc:
                items_errors.extend(exc.message_dict.pop("items", []))
                add_service_errors(form, ValidationError(exc.message_dict))
            else:
                return redirect(pledge.get_absolute_url())
    response = render(
        request,
        "donations/donate.html",
        {"campaign": campaign, "form": form, "items": items, "items_errors": items_errors,
         "error_summary": donate_error_summary(form=form, items=items if wants_goods else None,
                                               items_errors=items_errors)},
        status=429 if throttled else 400 if request.method == "POST" else 200,
    )
    if throttled:
        response["Retry-After"] = str(limit.wait())
    return response


def _procedure_context(pledge) -> dict:
    context = {"pledge": pledge, "receipts": pledge_receipt_list(pledge=pledge)}
    if pledge.status == Pledge.Status.CANCELLED:
        return context  # nothing to pay or bring
    if pledge.kind == Kind.CASH:
        context["transfer"] = pledge_transfer_due(pledge=pledge)
    else:
        province = pledge_donor_province(pledge=pledge)
        context["dropoff_points"] = dropoff_points_for(campaign_slug=pledge.campaign.slug, province=province)
        context["donor_province"] = province
    return context


def pledge_detail(request, reference: str):
    pledge = pledge_get_public(reference=reference)
    if pledge is None:
        raise Http404
    context = {**_procedure_context(pledge), "sections": pledge_page_sections_render(pledge=pledge)}
    return render(request, "donations/pledge_detail.html", context)


@cache_control(private=True, no_cache=True)
def pledge_qr(request, reference: str, fmt: str):
    """The VietQR code for what is still due; `?download=1` saves it as vietqr-<reference>.<fmt>."""
    pledge = pledge_get_public(reference=reference)
    if pledge is None or pledge.kind != Kind.CASH or pledge.status == Pledge.Status.CANCELLED:
        raise Http404
    payload = pledge_transfer_due(pledge=pledge).payload
    if payload is None:  # paid in full, or no account published
        raise Http404
    if fmt == "svg":
        response = HttpResponse(qr_svg(payload), content_type="image/svg+xml")
    else:
        response = HttpResponse(qr_png(payload), content_type="image/png")
    if request.GET.get("download"):
        response["Content-Disposition"] = f'attachment; filename="vietqr-{pledge.reference}.{fmt}"'
    return response


def pledge_lookup(request):
    reference = request.GET.get("reference", "").strip()
    context: dict = {"reference": reference[:40]}
    if reference:
        pledge = pledge_get_public(reference=reference[:40])
        if pledge is None:
            context["not_found"] = True
        else:
            context.update(_procedure_context(pledge))
    return render(request, "donations/pledge_lookup.html", context, status=404 if context.get("not_found") else 200)
