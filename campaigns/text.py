"""Text helpers every app may use."""

import unicodedata


def search_key(text: str) -> str:
    """What a search compares: `  Nguyễn  Văn An ` → `nguyen van an` (no diacritics, lower case, single spaces)."""
    return " ".join(strip_diacritics(text).lower().split())


def strip_diacritics(text: str) -> str:
    """`Nguyễn Văn Đức` → `Nguyen Van Duc`: Vietnamese letters to their base letters (đ → d)."""
    text = (text or "").replace("đ", "d").replace("Đ", "D")
    return "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))


# Vietnamese alphabetical order: ă and â after a, đ after d, ê after e, ô and ơ after o, ư after u
# (f, j, w, z where Latin puts them, for foreign names). Tones only break ties.
_ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_LETTER_RANK = {letter: rank for rank, letter in enumerate(_ALPHABET)}
# Marks that make another letter (NFD writes ă as a + breve): breve, circumflex, horn.
_LETTER_MARKS = {
    "\u0306": {"a": "ă"}, "\u0302": {"a": "â", "e": "ê", "o": "ô"}, "\u031b": {"o": "ơ", "u": "ư"},
}
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}  # huyền, hỏi, ngã, sắc, nặng


def vietnamese_sort_key(text: str) -> tuple:
    """A key that sorts names as a Vietnamese dictionary does: `Cà Mau` < `Cao Bằng` < `Cần Thơ`,
    `Huế` < `Hưng Yên`, `Đà Nẵng` after every name in D. Letters first, then tones, then case."""
    letters: list[tuple[int, int]] = []  # (1, rank) for a letter, (0, code point) for anything else
    tones: list[int] = []
    for char in unicodedata.normalize("NFD", text or ""):
        if char in _TONES and tones:
            tones[-1] = _TONES[char]
        elif char in _LETTER_MARKS and letters and letters[-1][0] == 1:
            marked = _LETTER_MARKS[char].get(_ALPHABET[letters[-1][1]])
            if marked:
                letters[-1] = (1, _LETTER_RANK[marked])
        elif not unicodedata.combining(char):
            rank = _LETTER_RANK.get(char.lower())
            letters.append((1, rank) if rank is not None else (0, ord(char)))
            tones.append(0)
    return tuple(letters), tuple(tones), text
