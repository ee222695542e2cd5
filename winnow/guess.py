"""First guesses for a new page's header: its language, its site and an unused page id.

Guesses only pre-fill the form (the person labelling edits them), so each rule is small and
explainable: the script mix picks the language (Hangul → ko, Kana → ja, Han → zh), a stop-word
count tells Latin-script languages apart, and the most frequent host named in the text is the
site.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

import numpy as np

from winnow.charclass import HAN, HANGUL, KANA, LATIN, OTHER_ALPHA, classify

# CJK characters carry a word's worth of text each; a page is CJK once they pass this share of
# its letters (menus and brand names in Latin letters stay below it on ko/ja/zh pages).
CJK_SHARE = 0.15
# Japanese text mixes Kana into Han; Chinese text has none or nearly none.
KANA_SHARE_JA = 0.1
# Below this many stop-word hits a Latin page is English (the commonest case).
MIN_STOPWORD_HITS = 3

STOPWORDS = {
    "en": "the and of to is that for with was on are this by from said have has it at be were "
    "which will would",
    "de": "der die und das ist nicht den mit von sich auch auf dem für ein eine einen wird "
    "werden sind nach bei aus zu im es",
    "fr": "le les des et est une du dans pour qui pas sur au avec sont cette par il elle aux "
    "ont été mais",
    "es": "el los las y del por con una para es su al como más pero fue sus está son ha entre",
    "it": "il di che è per non della del con sono una gli nel anche alla più le dei ha si lo",
    "pt": "os do da em um uma para com não por dos das são foi ao mais na no se à é",
    "nl": "het een en van dat niet op voor met zijn ook aan wordt bij naar werd deze heeft hij",
    "vi": "của và là các những được trong cho không người một có này với đã để khi từ",
    "id": "yang dan di ini itu dengan untuk dari dalam tidak akan pada juga adalah",
}
_STOPWORDS = {lang: frozenset(words.split()) for lang, words in STOPWORDS.items()}
# Other scripts: the first code-point range that holds most of the page's other letters.
OTHER_SCRIPTS = (
    ("ru", 0x0400, 0x04FF),  # Cyrillic
    ("el", 0x0370, 0x03FF),
    ("he", 0x0590, 0x05FF),
    ("ar", 0x0600, 0x06FF),
    ("hi", 0x0900, 0x097F),  # Devanagari
    ("th", 0x0E00, 0x0E7F),
)
_WORD = re.compile(r"[^\W\d_]+")
_URL_HOST = re.compile(r"https?://([A-Za-z0-9.-]+\.[A-Za-z]{2,})", re.IGNORECASE)
_MAIL_HOST = re.compile(r"[\w.+-]+@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})")
_WWW_HOST = re.compile(r"\b(www\.[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})\b")
# Hosts that appear on every page (share buttons, embeds) and are never the page's own site.
FOREIGN_HOSTS = frozenset(
    [
        "facebook.com",
        "twitter.com",
        "x.com",
        "instagram.com",
        "youtube.com",
        "youtu.be",
        "google.com",
        "linkedin.com",
        "pinterest.com",
        "t.co",
        "tiktok.com",
        "kakao.com",
        "apple.com",
        "gmail.com",
    ]
)
SITE_PATTERN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?\Z")
ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*\Z")


def script_counts(text: str) -> dict[str, int]:
    """Letters of each script in `text`: hangul, kana, han, latin, other."""
    if not text:
        return dict.fromkeys(("hangul", "kana", "han", "latin", "other"), 0)
    flags = classify(np.frombuffer(text.encode("utf-32-le", "replace"), dtype=np.uint32))
    return {
        name: int(np.count_nonzero(flags & flag))
        for name, flag in (
            ("hangul", HANGUL),
            ("kana", KANA),
            ("han", HAN),
            ("latin", LATIN),
            ("other", OTHER_ALPHA),
        )
    }


def guess_lang(text: str) -> str:
    """An ISO 639-1 code for the page's main language, or "" when it has no letters."""
    counts = script_counts(text)
    letters = sum(counts.values())
    if not letters:
        return ""
    cjk = counts["hangul"] + counts["kana"] + counts["han"]
    if cjk >= CJK_SHARE * letters:
        if counts["hangul"] >= max(counts["kana"], counts["han"]):
            return "ko"
        if counts["kana"] >= KANA_SHARE_JA * (counts["kana"] + counts["han"]):
            return "ja"
        return "zh"
    if counts["other"] > counts["latin"]:
        return _other_script(text) or "en"
    return _latin_lang(text)


def _other_script(text: str) -> str | None:
    code_points = Counter()
    for char in text:
        cp = ord(char)
        for lang, lo, hi in OTHER_SCRIPTS:
            if lo <= cp <= hi:
                code_points[lang] += 1
                break
    return code_points.most_common(1)[0][0] if code_points else None


def _latin_lang(text: str) -> str:
    words = Counter(w.lower() for w in _WORD.findall(text))
    hits = {
        lang: sum(n for word, n in words.items() if word in stop)
        for lang, stop in _STOPWORDS.items()
    }
    lang, best = max(hits.items(), key=lambda item: item[1])
    return lang if best >= MIN_STOPWORD_HITS else "en"


def guess_site(text: str) -> str:
    """The host the page names most (URLs first, then www. hosts, then e-mail domains), or ""."""
    for pattern in (_URL_HOST, _WWW_HOST, _MAIL_HOST):
        hosts = Counter(
            host.lower().rstrip(".")
            for host in pattern.findall(text)
            if _registered(host.lower()) not in FOREIGN_HOSTS
        )
        if hosts:
            return hosts.most_common(1)[0][0]
    return ""


def _registered(host: str) -> str:
    from winnow.train.dataset import registered_domain

    return registered_domain(host)


def id_stem(site: str) -> str:
    """`heraldcorp` for news.heraldcorp.com: the registered domain without its suffix."""
    domain = _registered(site) if site else ""
    stem = domain.split(".")[0] if domain else ""
    stem = re.sub(r"[^A-Za-z0-9-]+", "-", stem).strip("-").lower()
    return stem or "page"


def suggest_id(site: str, taken: Iterable[str]) -> str:
    """`<stem>-<n>` with the smallest n ≥ 1 not among the `taken` ids."""
    taken = set(taken)
    stem = id_stem(site)
    n = 1
    while f"{stem}-{n}" in taken:
        n += 1
    return f"{stem}-{n}"
