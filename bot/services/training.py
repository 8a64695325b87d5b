"""The admins' corrections as training data, and retraining when enough are new.

An admin's reclassification is stored as a ``TrainingExample`` (see
``admin_actions.route``). ``retrain_if_needed`` is meant for a periodic RQ job:
it trains a new model version (seed corpus + corrections, corrections weigh
double) when at least ``min_new`` corrections arrived since the newest model was
trained; web and worker processes pick the new version up by themselves
(``nlp.Router`` re-checks the models directory every minute).

``python -m nlp train --corrections-from-db`` uses ``load_corrections``.
"""
from __future__ import annotations

import logging
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.models import TrainingExample

log = logging.getLogger(__name__)


def _as_utc(value: datetime | str | None) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


def corrections(session: Session) -> list[tuple[str, str]]:
    """Every training example as (text, label), oldest first (later ones win)."""
    rows = session.execute(
        select(TrainingExample.text, TrainingExample.label)
        .order_by(TrainingExample.created_at, TrainingExample.id)
    ).all()
    return [(text, label) for text, label in rows if text and label]


def newest_correction_at(session: Session) -> datetime | None:
    return _as_utc(session.scalar(select(func.max(TrainingExample.created_at))))


def new_corrections_since(session: Session, model_version_created_at: datetime | str | None) -> int:
    """How many training examples were stored after the given time (all when None).

    Accepts a datetime or an ISO string such as meta.json's ``created_at``.
    """
    since = _as_utc(model_version_created_at)
    query = select(func.count(TrainingExample.id))
    if since is not None:
        query = query.where(TrainingExample.created_at > since)
    return int(session.scalar(query) or 0)


def _covered_until(meta: dict | None) -> str | None:
    """Corrections up to this time are in the model (None: the model has none)."""
    if not meta or "corrections_until" not in meta:
        return None  # a seed model: every correction is new to it
    return meta.get("corrections_until") or meta.get("created_at")


def load_corrections(database_url: str | None = None) -> tuple[list[tuple[str, str]], str | None]:
    """(corrections, ISO time of the newest) from the app database, for the CLI.

    Opens the database only (no Redis, no app); ``DATABASE_URL`` by default.
    """
    from bot.db import Database
    from config.settings import Settings

    db = Database(database_url or Settings.from_env().database_url)
    try:
        with db.session() as s:
            pairs = corrections(s)
            newest = newest_correction_at(s)
    finally:
        db.dispose()
    return pairs, newest.isoformat() if newest else None


def retrain_if_needed(res, min_new: int = 20, models_root: str | Path | None = None,
                      data: str | Path | None = None, progress=None) -> str | None:
    """Train and save a new model version when ``min_new`` corrections are new.

    Base corpus ``data`` (default: the seed corpus; a county trained on its own
    history passes that CSV) plus every correction. Returns the new version, or
    None when there were too few new corrections. One process trains at a time
    per models root (a file lock), and the count is checked under it.
    """
    from nlp import paths, store
    from nlp.train import train_and_save

    root = Path(models_root) if models_root else paths.models_dir()
    with store.training_lock(root):
        newest = store.newest_model(root)
        covered = _covered_until(newest[1] if newest else None)
        with res.db.session() as s:
            fresh = new_corrections_since(s, covered)
            if fresh < min_new:
                return None
            pairs = corrections(s)
            until = newest_correction_at(s)
        # the session is closed: training takes seconds and holds no transaction
        target, meta = train_and_save(data, root, progress=progress, corrections=pairs,
                                      corrections_until=until.isoformat() if until else None)
    log.info("nlp retrained version=%s corrections=%d new=%d dev_macro_f1=%s",
             meta["version"], meta["corrections"], fresh, meta["dev_macro_f1"])
    return meta["version"]
