"""Cadres in tests: the demo members' openids and the messages they send."""
from __future__ import annotations

from sqlalchemy import select

from bot.models import Member
from bot.services.seed import demo_openid


def cadre_openid(login: str) -> str:
    return demo_openid(login)


def member(res, login: str) -> Member:
    with res.db.session() as s:
        m = s.scalar(select(Member).where(Member.login == login))
        s.expunge(m)
        return m
