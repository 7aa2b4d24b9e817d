"""Text helpers every app may use."""

import functools
import unicodedata


def search_key(text: str) -> str:
    """What a search compares: `  Nguyễn  Văn An ` → `nguyen van an` (no diacritics, lower case, single spaces)."""
    return " ".join(strip_diacritics(text).lower().split())


def strip_diacritics(text: str) -> str:
    """`Nguyễn Văn Đức` → `Nguyen Van Duc`: Vietnamese letters to their base letters (đ → d)."""
    if not text or text.isascii():
        return text or ""
    # Each precomposed Latin letter stripped on its own (a table lookup), which is what the whole
    # text stripped gives whenever the result is plain ASCII; anything else the slow way.
    quick = text.translate(_latin_stripped())
    return quick if quick.isascii() else _strip_diacritics(text)


def _strip_diacritics(text: str) -> str:
    text = text.replace("đ", "d").replace("Đ", "D")
    return "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))


@functools.cache
def _latin_stripped() -> dict[int, str]:
    """Latin-1 Supplement, Latin Extended-A and -B and Latin Extended Additional (all Vietnamese
    letters): each letter's `_strip_diacritics`."""
    return {
        code: _strip_diacritics(chr(code)) for code in (*range(0xC0, 0x250), *range(0x1E00, 0x1F00))
    }


# The Vietnamese alphabet (a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y), with the
# Latin letters it lacks (f j w z) at their Latin places for foreign names.
_ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_LETTER_RANK = {letter: rank for rank, letter in enumerate(_ALPHABET)}
# Marks that make a different letter (breve, circumflex, horn) rather than a tone.
_LETTER_MARKS = {"\u0306", "\u0302", "\u031b"}
# Tones, a secondary difference, in dictionary order: level, huyền, hỏi, ngã, sắc, nặng.
_TONE_RANK = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}


def _vietnamese_units(text: str):
    """Each base character of `text` (decomposed) with the combining marks that follow it."""
    base, marks = None, []
    for ch in unicodedata.normalize("NFD", text or ""):
        if unicodedata.combining(ch) and base is not None:
            marks.append(ch)
            continue
        if base is not None:
            yield base, marks
        base, marks = ch, []
    if base is not None:
        yield base, marks


def vietnamese_sort_key(text: str) -> tuple:
    """A key that sorts names as a Vietnamese reader expects, not by code point.

    Primary: letters in the Vietnamese alphabet order (Đ after D, Ư after U, ă â after a), spaces
    and punctuation before digits before letters. Secondary: tones (level, huyền, hỏi, ngã, sắc,
    nặng), so `Ma < Mà < Mả < Mã < Má < Mạ`. Then lower case before upper case, then the text.
    """
    primary, secondary, tertiary = [], [], []
    for base, marks in _vietnamese_units(text):
        lower = base.lower()
        letter = unicodedata.normalize("NFC", lower + "".join(m for m in marks if m in _LETTER_MARKS))
        if letter in _LETTER_RANK:
            primary.append((3, _LETTER_RANK[letter]))
        elif lower in _LETTER_RANK:  # a base letter with a mark Vietnamese does not use (ü, ç)
            primary.append((3, _LETTER_RANK[lower]))
        elif lower.isdigit():
            primary.append((2, unicodedata.digit(lower, 0)))
        elif lower.isspace() or unicodedata.category(lower)[0] in "PSZC":
            primary.append((1, ord(lower)))
        else:
            primary.append((4, ord(lower)))
        secondary.append(tuple(_TONE_RANK.get(m, 10 + ord(m)) for m in marks if m not in _LETTER_MARKS))
        tertiary.append(0 if base == lower else 1)
    return tuple(primary), tuple(secondary), tuple(tertiary), text or ""
