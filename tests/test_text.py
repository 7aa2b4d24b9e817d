"""Text helpers: stripping diacritics by table gives what the Unicode decomposition gives."""

import unicodedata

import pytest

from campaigns.text import search_key, strip_diacritics


def by_decomposition(text: str) -> str:
    """The rule as stated: đ → d, then NFKD without combining marks."""
    text = text.replace("đ", "d").replace("Đ", "D")
    return "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))


def test_every_latin_letter_and_its_neighbours_strip_as_by_decomposition():
    # each character of the Latin blocks (and the blocks around them), alone and between others
    for code in range(0x20, 0x2000):
        ch = chr(code)
        for text in (ch, f"a{ch}b", f"{ch}\u0301", f"Đ{ch}ư"):
            assert strip_diacritics(text) == by_decomposition(text), repr(text)


@pytest.mark.parametrize("text, stripped", [
    ("Nguyễn Văn Đức", "Nguyen Van Duc"),
    ("ỦNG HỘ ĐỒNG BÀO", "UNG HO DONG BAO"),
    ("Nguye\u0302\u0303n", "Nguyen"),  # decomposed, as some keyboards type it
    ("Æsir ﬁ ①", by_decomposition("Æsir ﬁ ①")),
    ("", ""),
    (None, ""),
])
def test_names_strip_as_before(text, stripped):
    assert strip_diacritics(text) == stripped


def test_search_key():
    assert search_key("  Nguyễn  Văn An ") == "nguyen van an"
