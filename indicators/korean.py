"""Korean particles chosen from the word, not guessed ("버전 2를", "B.1.1을", "A.1로").
Pure Python (no Django); lives in ``indicators`` because every app may import it from here
(the base of the dependency arrows).

A particle pair depends on whether the word's last syllable, as it is read, ends in a
final consonant (받침): Hangul syllables are decoded; digits and Latin letters are read as
Koreans read them in codes and versions (1 일, 2 이, 10 십; L 엘, M 엠, N 엔, R 알). "로/으로"
also treats a final ㄹ as no 받침 ("B.1.1로" is wrong: 일 → "B.1.1로" is right). A word whose end
cannot be read (punctuation only, an empty string) keeps both forms: "을(를)".
"""

from __future__ import annotations

HANGUL_FIRST, HANGUL_LAST = 0xAC00, 0xD7A3
RIEUL = 8  # the index of ㄹ among final consonants

# Last digit as read; "0" after other digits is 십/백/천/만, all with 받침 (see _digits).
DIGIT_FINAL = {"0": 21, "1": RIEUL, "2": 0, "3": 16, "4": 0, "5": 0, "6": 1, "7": 8, "8": 8, "9": 0}
# Latin letters read with a final consonant: L 엘 (ㄹ), M 엠, N 엔, R 알 (ㄹ).
LATIN_FINAL = {"l": RIEUL, "m": 16, "n": 4, "r": RIEUL}

PAIRS = {
    "을/를": ("을", "를"),
    "이/가": ("이", "가"),
    "은/는": ("은", "는"),
    "과/와": ("과", "와"),
    "으로/로": ("으로", "로"),
    "이다/다": ("이다", "다"),
}


def _final(word: str) -> int | None:
    """The final consonant index of the last readable syllable (0 = none), None if unknown."""
    text = word.rstrip(" )]}'\"")
    if not text:
        return None
    last = text[-1]
    code = ord(last)
    if HANGUL_FIRST <= code <= HANGUL_LAST:
        return (code - HANGUL_FIRST) % 28
    if last.isdigit():
        digits = len(text) - len(text.rstrip("0123456789"))
        if last == "0" and digits > 1:
            return 1  # 십 (ㅂ), 백 (ㄱ), 천/만 (ㄴ): a 받침 either way, not ㄹ
        return DIGIT_FINAL.get(last)
    if last.isascii() and last.isalpha():
        return LATIN_FINAL.get(last.lower(), 0)
    return None


def particle(word: str, pair: str) -> str:
    """``word`` followed by the right particle of ``pair`` (a key of ``PAIRS``)."""
    with_final, without = PAIRS[pair]
    final = _final(str(word))
    if final is None:
        return f"{word}{with_final}({without})"
    if pair == "으로/로":
        return f"{word}{without if final in (0, RIEUL) else with_final}"
    return f"{word}{with_final if final else without}"
