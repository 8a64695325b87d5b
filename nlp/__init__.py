"""村声 nlp: route villagers' messages to the village's work teams.

No Flask, database or WeChat imports: trained and evaluated on its own
(``python -m nlp``). See docs/labels.md for the labels and how they are decided.
"""
from __future__ import annotations

from .classifier import Classification, Router, get_router
from .labels import LABELS, TEAM_NAMES
from .rules import detect_intent
from .tokenizer import add_words, tokenize
from .villages import match_village

__all__ = [
    "LABELS",
    "TEAM_NAMES",
    "Classification",
    "Router",
    "add_words",
    "detect_intent",
    "get_router",
    "match_village",
    "tokenize",
]
