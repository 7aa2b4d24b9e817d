"""Sections other apps add to the pledge page, so that `donations` never imports them.

An app registers, in its `AppConfig.ready()`, a function that takes the pledge and returns the
template of its section and that template's context, or None to show nothing. The pledge page
renders each section in registration order; one that fails is logged and left out, never the page.
"""

import logging
from collections.abc import Callable

from .models import Pledge

logger = logging.getLogger(__name__)

PledgePageSection = Callable[[Pledge], tuple[str, dict] | None]

pledge_page_sections: list[PledgePageSection] = []


def pledge_page_sections_render(*, pledge: Pledge) -> list[tuple[str, dict]]:
    """The (template, context) of every registered section that has something to show for `pledge`."""
    shown = []
    for section in pledge_page_sections:
        try:
            result = section(pledge)
        except Exception:
            logger.exception("pledge page section %r failed for pledge %s", section, pledge.reference)
            continue
        if result is not None:
            shown.append(result)
    return shown
