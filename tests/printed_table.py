"""The 山口県 report's score table as printed: its rows, in order."""

# each leaf, then Ⅱ計, Ⅲ and 合計 (Ⅲ comes after Ⅱ計)
PRINTED_ORDER = [
    "Ⅰ",
    "Ⅱ(1)",
    "Ⅱ(2)①",
    "Ⅱ(2)②",
    "Ⅱ(3)",
    "Ⅱ(4)",
    "Ⅱ(5)",
    "Ⅱ(6)",
    "Ⅱ(7)",
    "Ⅱ(8)",
    "Ⅱ(9)",
    "Ⅱ計",
    "Ⅲ",
    "合計",
]
