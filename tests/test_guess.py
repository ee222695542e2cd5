"""Header guesses of the labelling tool: language from the script mix, site, a free page id."""

from __future__ import annotations

import pytest

from winnow.guess import guess_lang, guess_site, id_stem, suggest_id

MENU = "Home\nNews\nSports\nLogin\nSubscribe\n"


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        (MENU + "누리군은 다음 달부터 읍내 도서관 두 곳의 운영 시간을 늘린다고 밝혔다.", "ko"),
        (MENU + "町の図書館は来月から夜十時まで開館すると発表した。利用者は増えている。", "ja"),
        (MENU + "县图书馆宣布下个月起延长开放时间，夜间读者明显增加。", "zh"),
        ("The council voted on Tuesday to adopt the timetable for the ferries.", "en"),
        (
            "Der Gemeinderat hat am Dienstag die neuen Fahrpläne für die Fähre beschlossen, "
            "und die Fahrgäste sind mit dem Ergebnis nicht zufrieden.",
            "de",
        ),
        (
            "Le conseil a adopté mardi les nouveaux horaires du bac, et les usagers sont "
            "satisfaits pour la plupart des changements.",
            "fr",
        ),
        (
            "El consejo aprobó el martes los nuevos horarios del ferry, y los usuarios "
            "están contentos con las mejoras para la ciudad.",
            "es",
        ),
        (
            "Hội đồng đã thông qua lịch trình mới của phà và người dân có thể góp ý "
            "trong tháng này.",
            "vi",
        ),
        (MENU + "Городской совет во вторник утвердил новое расписание паромов.", "ru"),
        ("Login Home", "en"),
        ("1234 -- 5678 ...", ""),
        ("", ""),
    ],
)
def test_language_from_script_mix_and_stop_words(text, lang):
    assert guess_lang(text) == lang


def test_site_prefers_urls_then_hosts_then_mail_domains_and_skips_share_hosts():
    text = (
        "Share https://www.facebook.com/sharer?u=1 https://twitter.com/intent\n"
        "Contact: desk@ledger.example.com\n"
        "https://news.ledger.example.com/local/1 and https://news.ledger.example.com/local/2\n"
    )
    assert guess_site(text) == "news.ledger.example.com"
    assert guess_site("Reporter cheon@heraldcorp.com") == "heraldcorp.com"
    assert guess_site("visit www.Nuri-Morning.kr today") == "www.nuri-morning.kr"
    assert guess_site("no address here") == ""


def test_ids_follow_the_site_and_skip_taken_ones():
    assert id_stem("news.nuri-morning.co.kr") == "nuri-morning"
    assert id_stem("") == "page"
    assert suggest_id("heraldcorp.com", []) == "heraldcorp-1"
    assert suggest_id("heraldcorp.com", {"heraldcorp-1", "heraldcorp-2"}) == "heraldcorp-3"
