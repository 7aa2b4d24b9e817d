"""The client's address, as the proxies in front of the portal saw it.

With no proxy configured (TRUSTED_PROXY_COUNT = 0) it is the address of the connection: an
X-Forwarded-For header sent by the client proves nothing and is ignored. Behind n proxies that each
append the address they saw to X-Forwarded-For, the n-th address from the right is the one the
outermost proxy saw: the client's. Addresses further left were written by the client and are ignored.
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """The client's IP address (the connection's when the forwarded one is missing or malformed)."""
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    if len(forwarded) < proxies or not forwarded[-proxies]:
        return remote  # the request did not come through all the proxies
    try:
        return str(ipaddress.ip_address(forwarded[-proxies]))
    except ValueError:
        return remote
