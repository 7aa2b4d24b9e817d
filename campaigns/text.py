"""Text helpers every app may use."""

import unicodedata


def search_key(text: str) -> str:
    """What a search compares: `  Nguyễn  Văn An ` → `nguyen van an` (no diacritics, lower case, single spaces)."""
    return " ".join(strip_diacritics(text).lower().split())


def strip_diacritics(text: str) -> str:
    """`Nguyễn Văn Đức` → `Nguyen Van Duc`: Vietnamese letters to their base letters (đ → d)."""
    text = (text or "").replace("đ", "d").replace("Đ", "D")
    return "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
