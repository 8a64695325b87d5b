"""Small lookups that every message needs: village names, team names, county code."""
from __future__ import annotations

import hashlib
import threading
import time
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

import nlp
from bot.models import County, Township, Village
from config import load_yaml, team_kinds

_TTL = 60.0
_lock = threading.Lock()
_villages: dict[int, tuple[float, list[str]]] = {}
_codes: dict[int, str] = {}


def village_names(session: Session, county_id: int) -> list[str]:
    """Active village names of a county, cached for a minute; also taught to jieba."""
    now = time.monotonic()
    hit = _villages.get(county_id)
    if hit and now - hit[0] < _TTL:
        return hit[1]
    names = list(session.scalars(select(Village.name).join(Township).where(
        Township.county_id == county_id, Village.active.is_(True)).order_by(Village.id)))
    with _lock:
        nlp.add_words(names)
        _villages[county_id] = (now, names)
    return names


def village_by_name(session: Session, county_id: int, name: str) -> Village | None:
    return session.scalar(select(Village).join(Township).where(
        Township.county_id == county_id, Village.name == name, Village.active.is_(True)).limit(1))


def county_code(session: Session, county_id: int) -> str:
    if county_id not in _codes:
        _codes[county_id] = session.get(County, county_id).code
    return _codes[county_id]


def team_names() -> dict[str, str]:
    names = {k["key"]: k["name"] for k in team_kinds()}
    names["wish"] = load_yaml("teams.yaml")["wish"]["name"]
    return names


def wish_review_delta() -> timedelta:
    return timedelta(days=load_yaml("teams.yaml")["wish"]["review_days"])


def hash_openid(openid: str) -> str:
    """Logs carry a short hash, never the raw openid."""
    return hashlib.sha256(openid.encode()).hexdigest()[:10]


def invalidate() -> None:
    _villages.clear()
    _codes.clear()


_faq = None


def faq_index():
    """The FAQ (config/faq.yaml), loaded once per process."""
    global _faq
    if _faq is None:
        from config.settings import CONFIG_DIR
        from nlp.faq import FaqIndex

        _faq = FaqIndex.from_yaml(CONFIG_DIR / "faq.yaml")
    return _faq
