"""Admin sign-in: password check, login rate limiting in Redis, password change."""
from __future__ import annotations

import hashlib
import logging

from redis.exceptions import RedisError
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from bot.models.people import ROLES

from bot.models import Member
from bot.services import audit

log = logging.getLogger("cunsheng.admin.auth")
WINDOW = 15 * 60          # seconds a failure counts
MAX_PER_LOGIN = 5         # failures per (IP, login) in the window
MAX_PER_IP = 30           # failures per IP in the window, whatever the login
MIN_PASSWORD = 8
_DUMMY_HASH = generate_password_hash("cunsheng-timing-equaliser")


def _keys(ip: str, login: str) -> tuple[str, str]:
    h = hashlib.sha256(login.encode()).hexdigest()[:16]
    return f"cunsheng:login:{ip}:{h}", f"cunsheng:login:{ip}"


def blocked(redis, ip: str, login: str) -> bool:
    k_login, k_ip = _keys(ip, login)
    try:
        a, b = redis.mget(k_login, k_ip)
    except RedisError as exc:  # fail open: Redis down must not lock every cadre out
        log.warning("login limiter unavailable error=%s", exc.__class__.__name__)
        return False
    return int(a or 0) >= MAX_PER_LOGIN or int(b or 0) >= MAX_PER_IP


def record_failure(redis, ip: str, login: str) -> None:
    try:
        pipe = redis.pipeline()
        for k in _keys(ip, login):
            pipe.set(k, 0, ex=WINDOW, nx=True)  # the window starts at the first failure (Redis 6)
            pipe.incr(k)
        pipe.execute()
    except RedisError as exc:
        log.warning("login limiter unavailable error=%s", exc.__class__.__name__)


def clear(redis, ip: str, login: str) -> None:
    try:
        redis.delete(_keys(ip, login)[0])
    except RedisError:
        pass


def authenticate(session: Session, login: str, password: str) -> Member | None:
    # only the console's roles sign in here (party members sign in on the wish board)
    m = session.scalar(select(Member).where(Member.login == login, Member.active.is_(True),
                                            Member.role.in_(ROLES)))
    if m is None or not m.password_hash:
        check_password_hash(_DUMMY_HASH, password)  # same time whether or not the login exists
        return None
    return m if check_password_hash(m.password_hash, password) else None


def fingerprint(m: Member) -> str:
    """Stored in the session: a password change signs out every other session of the member."""
    return hashlib.sha256((m.password_hash or "").encode()).hexdigest()[:16]


def password_problem(m: Member, new: str, confirm: str) -> str | None:
    if new != confirm:
        return "两次输入的新密码不一致。"
    if len(new) < MIN_PASSWORD:
        return f"新密码至少 {MIN_PASSWORD} 位。"
    if new == m.login or new.isdigit() and len(set(new)) <= 2:
        return "新密码太简单。"
    return None


def change_password(session: Session, m: Member, current: str, new: str, confirm: str) -> str | None:
    """None on success, else the reason (in Chinese) it was refused."""
    if not m.password_hash or not check_password_hash(m.password_hash, current):
        return "当前密码不正确。"
    problem = password_problem(m, new, confirm)
    if problem:
        return problem
    m.password_hash = generate_password_hash(new)
    audit.record(session, m, "password_change", "member", m.login or str(m.id), "修改了自己的密码")
    return None
