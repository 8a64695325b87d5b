"""The six routing labels and the Chinese names people use for them (GLOSSARY.md)."""
from __future__ import annotations

LABELS = ("ecology", "industry", "welfare", "governance", "culture", "wish")

TEAM_NAMES = {
    "生态文明": "ecology",
    "产业促进": "industry",
    "社会保障": "welfare",
    "社会治理": "governance",
    "文化宣传": "culture",
    "微心愿": "wish",
}


def normalize_label(value: str) -> str:
    """'社会保障工作队' / '社会保障' / ' Welfare ' -> 'welfare'; other labels kept as-is."""
    label = (value or "").strip()
    name = label.removesuffix("工作队").removesuffix("队").strip()
    if name in TEAM_NAMES:
        return TEAM_NAMES[name]
    if label.lower() in LABELS:
        return label.lower()
    return label
