"""The WeChat accounts the webhook serves. The demo account is configured by the environment."""
from __future__ import annotations

import logging
import threading

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
            session.expunge(acc)
            return acc
    except SQLAlchemyError as exc:  # not migrated yet
        log.info("account sync skipped: %s", exc.__class__.__name__)
        return None


def get_account(res, key: str) -> Account | None:
    if key == ENV_ACCOUNT_KEY and not _synced.is_set():
        sync_env_account(res)
    with res.db.session() as session:
        acc = session.scalar(select(Account).where(Account.key == key))
        if acc is not None:
            session.expunge(acc)
        return acc


def reset_cache() -> None:
    _synced.clear()
