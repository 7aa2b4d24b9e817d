"""Text helpers every app may use."""

import unicodedata


def strip_diacritics(text: str) -> str:
    """`Nguyễn Văn Đức` → `Nguyen Van Duc`: Vietnamese letters to their base letters (đ → d)."""
    text = (text or "").replace("đ", "d").replace("Đ", "D")
    return "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
