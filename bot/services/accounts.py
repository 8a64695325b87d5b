"""The WeChat accounts the webhook serves. The demo account is configured by the environment."""
from __future__ import annotations

import logging
import threading
import time

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from bot.models import Account, County

log = logging.getLogger("cunsheng.accounts")
ENV_ACCOUNT_KEY = "demo"
_synced = threading.Event()


def sync_env_account(res) -> Account | None:
    """Create or update the account named by the environment (WECHAT_*), once per process.
    Quietly does nothing before the database is migrated and seeded."""
    s = res.settings
    try:
        with res.db.session() as session:
            county = session.scalar(select(County).where(County.code == s.county_code))
            if county is None:
                return None
            acc = session.scalar(select(Account).where(Account.key == ENV_ACCOUNT_KEY))
            if acc is None:
                acc = Account(key=ENV_ACCOUNT_KEY, name=f"{county.name}村声", appid=s.wechat_appid,
                              token=s.wechat_token, aes_key=s.wechat_aes_key or None, county_id=county.id)
                session.add(acc)
            else:
                acc.appid, acc.token, acc.aes_key = s.wechat_appid, s.wechat_token, s.wechat_aes_key or None
                acc.county_id = county.id
            session.flush()
            _synced.set()
            _cache.clear()
            session.expunge(acc)
            return acc
    except SQLAlchemyError as exc:  # not migrated yet
        log.info("account sync skipped: %s", exc.__class__.__name__)
        return None


_cache: dict[str, tuple[float, Account | None]] = {}
CACHE_SECONDS = 60.0


def get_account(res, key: str) -> Account | None:
    """The account for a webhook path, cached per process for a minute."""
    if key == ENV_ACCOUNT_KEY and not _synced.is_set():
        sync_env_account(res)
    hit = _cache.get(key)
    now = time.monotonic()
    if hit and now - hit[0] < CACHE_SECONDS:
        return hit[1]
    with res.db.session() as session:
        acc = session.scalar(select(Account).where(Account.key == key))
        if acc is not None:
            session.expunge(acc)
    if len(_cache) > 1000:  # unknown keys must not grow this without bound
        _cache.clear()
    _cache[key] = (now, acc)
    return acc


def reset_cache() -> None:
    _synced.clear()
    _cache.clear()
