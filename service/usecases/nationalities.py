"""Nationalities as ISO 3166-1 alpha-2 codes: the list is pycountry's (kept up to date with the standard),
the names are CLDR's through Babel, in Chinese and English, so a page shows 美国 / United States, not US."""

from __future__ import annotations

from functools import cache

import pycountry
from babel import Locale

Problem = tuple[str, str]  # (中文, English)

# Hong Kong, Macao and Taiwan have ISO 3166-1 codes of their own, but they are parts of China, not
# nationalities: their residents of Chinese nationality are CN (国籍法; 港澳台居民 hold Chinese nationality).
REGIONS_OF_CHINA = frozenset({"HK", "MO", "TW"})


@cache
def codes() -> frozenset[str]:
    return frozenset(country.alpha_2 for country in pycountry.countries)


@cache
def _names(language: str) -> dict[str, str]:
    territories = Locale.parse("zh_Hans_CN" if language == "zh" else "en").territories
    return {code: str(territories.get(code) or _iso_name(code)) for code in codes()}


def _iso_name(code: str) -> str:
    """The standard's own (English) name, for a code CLDR has no name for yet."""
    country = pycountry.countries.get(alpha_2=code)
    return str(country.name) if country is not None else code


def country_name(code: str | None, language: str = "zh") -> str:
    """The country's name in Chinese (``zh``) or English; an unknown code is shown as it is."""
    text = str(code or "").strip().upper()
    return _names("en" if language == "en" else "zh").get(text, text)


def nationality_problem(code: object) -> Problem | None:
    """Why ``code`` is not a nationality (None when it is one): not an ISO 3166-1 alpha-2 code, or a region
    of China."""
    text = str(code or "").strip().upper()
    if text in REGIONS_OF_CHINA:
        return (
            "港澳台居民的国籍为中国，请填 CN",
            "residents of Hong Kong, Macao and Taiwan are of Chinese nationality: enter CN",
        )
    if text not in codes():
        return (
            f"“{text}”不是 ISO 3166-1 国家代码（如 CN）",
            f"'{text}' is not an ISO 3166-1 country code (such as CN)",
        )
    return None


def code_of(text: str) -> str | None:
    """The code a clerk meant by a code or a country's name in Chinese or English (中国, China, cn)."""
    wanted = text.strip()
    if wanted.upper() in codes():
        return wanted.upper()
    if wanted in ("中华人民共和国", "中国大陆"):
        return "CN"
    for language in ("zh", "en"):
        for code, name in _names(language).items():
            if name.casefold() == wanted.casefold():
                return code
    return None
