"""Finding pledge references and the payer in the free text of a bank transfer.

Banks wrap the donor's words in their own noise (`MBVCB.6986253876.`, `IBFT`, `FT24253…`,
`CT tu <acct> <NAME> toi <acct>`), drop diacritics or not, and join words with dots, dashes or
nothing. A reference is therefore looked for in two ways: right after a campaign code in the text
with every separator removed, and as a separate 8-character word.
"""

import functools
import re
from collections.abc import Sequence

from campaigns.text import strip_diacritics

from .models import REFERENCE_ALPHABET, REFERENCE_LENGTH

_REF_CHARS = f"[{REFERENCE_ALPHABET}]"
_WORD = re.compile(r"[A-Z0-9]+")
_PAYER = re.compile(r"\bCT (?:TU|TỪ) (\d{6,19}) ([A-Z][A-Z ]{2,60}?) (?:TOI|TỚI)\b")


def fold(text: str) -> str:
    """Upper case, no diacritics (đ → D), ASCII only."""
    return strip_diacritics(text).upper()


_SEPARATORS = re.compile(r"[^A-Z0-9]")
_REFERENCE_WORD = re.compile(f"{_REF_CHARS}{{{REFERENCE_LENGTH}}}")


def squash(text: str) -> str:
    """Folded text with every space and separator removed."""
    return _SEPARATORS.sub("", fold(text))


@functools.lru_cache(maxsize=64)
def _anchored_patterns(campaign_codes: tuple[str, ...]) -> tuple[re.Pattern, ...]:
    return tuple(re.compile(re.escape(code) + f"({_REF_CHARS}{{{REFERENCE_LENGTH}}})") for code in campaign_codes)


def reference_candidates(text: str, *, campaign_codes: Sequence[str]) -> tuple[set[str], set[str]]:
    """(references right after a campaign code, other 8-character words that could be references)."""
    folded = fold(text)
    squashed = _SEPARATORS.sub("", folded)
    anchored: set[str] = set()
    for pattern in _anchored_patterns(tuple(campaign_codes)):
        for match in pattern.finditer(squashed):
            anchored.add(match.group(1))
    loose = {word for word in _WORD.findall(folded) if len(word) == REFERENCE_LENGTH and _REFERENCE_WORD.fullmatch(word)}
    return anchored, loose - anchored


def payer_from_text(text: str) -> tuple[str, str]:
    """(payer account, payer name) from `CT tu <acct> <NAME> toi …`, or ("", "")."""
    match = _PAYER.search(fold(text))
    if not match:
        return "", ""
    return match.group(1), " ".join(match.group(2).split()).title()
