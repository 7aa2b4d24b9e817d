"""Finding pledge references and the payer in the free text of a bank transfer.

Banks wrap the donor's words in their own noise (`MBVCB.6986253876.`, `IBFT`, `FT24253…`,
`CT tu <acct> <NAME> toi <acct>`), drop diacritics or not, and join words with dots, dashes or
nothing. A reference is therefore looked for in two ways: right after a campaign code in the text
with every separator removed, and as a separate 8-character word.
"""

import re

from campaigns.text import strip_diacritics

from .models import REFERENCE_ALPHABET, REFERENCE_LENGTH

_REF_CHARS = f"[{REFERENCE_ALPHABET}]"
_WORD = re.compile(r"[A-Z0-9]+")
_PAYER = re.compile(r"\bCT (?:TU|TỪ) (\d{6,19}) ([A-Z][A-Z ]{2,60}?) (?:TOI|TỚI)\b")


def fold(text: str) -> str:
    """Upper case, no diacritics (đ → D), ASCII only."""
    return strip_diacritics(text).upper()


def squash(text: str) -> str:
    """Folded text with every space and separator removed."""
    return re.sub(r"[^A-Z0-9]", "", fold(text))


def reference_candidates(text: str, *, campaign_codes: list[str]) -> tuple[set[str], set[str]]:
    """(references right after a campaign code, other 8-character words that could be references)."""
    squashed = squash(text)
    anchored: set[str] = set()
    for code in campaign_codes:
        for match in re.finditer(re.escape(code) + f"({_REF_CHARS}{{{REFERENCE_LENGTH}}})", squashed):
            anchored.add(match.group(1))
    loose = {
        word
        for word in _WORD.findall(fold(text))
        if len(word) == REFERENCE_LENGTH and all(c in REFERENCE_ALPHABET for c in word)
    }
    return anchored, loose - anchored


def payer_from_text(text: str) -> tuple[str, str]:
    """(payer account, payer name) from `CT tu <acct> <NAME> toi …`, or ("", "")."""
    match = _PAYER.search(fold(text))
    if not match:
        return "", ""
    return match.group(1), " ".join(match.group(2).split()).title()
