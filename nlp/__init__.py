"""村声 nlp: route villagers' messages to the village's work teams.

No Flask, database or WeChat imports: trained and evaluated on its own
(``python -m nlp``). See docs/labels.md for the labels and how they are decided.

The cheap parts (``detect_intent``, ``match_village``, ``LABELS``) import
nothing heavy; the classifier, scikit-learn and jieba are imported on first
use of ``get_router``/``Classification``/``Router``/``tokenize``/``add_words``
and of ``FaqIndex``/``FaqMatch``/``similarity``/``find_duplicate``.
"""
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from .labels import LABELS, TEAM_NAMES
from .rules import detect_intent
from .villages import match_village

if TYPE_CHECKING:  # pragma: no cover
    from .classifier import Classification, Router, get_router
    from .faq import FaqIndex, FaqMatch
    from .similarity import find_duplicate, similarity
    from .tokenizer import add_words, tokenize

_LAZY = {
    "Classification": "classifier",
    "Router": "classifier",
    "get_router": "classifier",
    "add_words": "tokenizer",
    "tokenize": "tokenizer",
    "FaqIndex": "faq",
    "FaqMatch": "faq",
    "similarity": "similarity",
    "find_duplicate": "similarity",
}

__all__ = [
    "LABELS",
    "TEAM_NAMES",
    "Classification",
    "FaqIndex",
    "FaqMatch",
    "Router",
    "add_words",
    "detect_intent",
    "find_duplicate",
    "get_router",
    "match_village",
    "similarity",
    "tokenize",
]


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'nlp' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
