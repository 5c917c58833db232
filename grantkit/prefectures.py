"""The 47 prefectures with their JIS X 0401 codes (the first two digits of a 保険者番号)."""

from __future__ import annotations

PREFECTURES: dict[str, str] = {
    "01": "北海道",
    "02": "青森県",
    "03": "岩手県",
    "04": "宮城県",
    "05": "秋田県",
    "06": "山形県",
    "07": "福島県",
    "08": "茨城県",
    "09": "栃木県",
    "10": "群馬県",
    "11": "埼玉県",
    "12": "千葉県",
    "13": "東京都",
    "14": "神奈川県",
    "15": "新潟県",
    "16": "富山県",
    "17": "石川県",
    "18": "福井県",
    "19": "山梨県",
    "20": "長野県",
    "21": "岐阜県",
    "22": "静岡県",
    "23": "愛知県",
    "24": "三重県",
    "25": "滋賀県",
    "26": "京都府",
    "27": "大阪府",
    "28": "兵庫県",
    "29": "奈良県",
    "30": "和歌山県",
    "31": "鳥取県",
    "32": "島根県",
    "33": "岡山県",
    "34": "広島県",
    "35": "山口県",
    "36": "徳島県",
    "37": "香川県",
    "38": "愛媛県",
    "39": "高知県",
    "40": "福岡県",
    "41": "佐賀県",
    "42": "長崎県",
    "43": "熊本県",
    "44": "大分県",
    "45": "宮崎県",
    "46": "鹿児島県",
    "47": "沖縄県",
}
CODES: dict[str, str] = {name: code for code, name in PREFECTURES.items()}


def prefecture_of(entity_code: str) -> str | None:
    """Prefecture name of a prefecture code ("35") or a 6-digit 保険者番号 ("352013"); None if unknown.

    >>> prefecture_of("35"), prefecture_of("352013"), prefecture_of("000000")
    ('山口県', '山口県', None)
    """
    return PREFECTURES.get(str(entity_code)[:2])


def split_prefecture(name: str) -> tuple[str | None, str]:
    """Split a name qualified by its prefecture: "広島県府中町" or "府中町（広島県）" → ("広島県", "府中町").

    >>> split_prefecture("広島県 府中町"), split_prefecture("府中町(広島県)"), split_prefecture("山口県")
    (('広島県', '府中町'), ('広島県', '府中町'), (None, '山口県'))
    """
    s = name.replace("（", "(").replace("）", ")").strip()
    for pref in CODES:
        if s.endswith(f"({pref})"):
            return pref, s[: -len(pref) - 2].strip()
        if s.startswith(pref) and len(s) > len(pref):
            return pref, s[len(pref) :].strip()
    return None, s
