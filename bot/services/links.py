"""Signed, expiring links for the H5 pages: a cadre's task page and a villager's rating page.
They work without a login; the signature is the credential."""
from __future__ import annotations

from itsdangerous import BadData, SignatureExpired, URLSafeTimedSerializer

from bot import ext
from config import load_yaml


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(ext.get().settings.secret_key, salt=salt)


def max_age() -> int:
    return int(load_yaml("followup.yaml")["h5_link_days"]) * 86400


def task_token(member_id: int, request_id: int) -> str:
    return _serializer("h5-task").dumps({"m": member_id, "r": request_id})


def rating_token(request_id: int, cycle: int) -> str:
    return _serializer("h5-rate").dumps({"r": request_id, "c": cycle})


def read(salt: str, token: str) -> dict | None:
    """The token's data, or None when it is forged or expired."""
    return check(salt, token)[0]


def check(salt: str, token: str) -> tuple[dict | None, str]:
    """(data, "") for a good token; (None, "expired") for one we signed that is too old;
    (None, "invalid") for anything else (tampered, truncated, another page's token)."""
    try:
        data = _serializer(salt).loads(token, max_age=max_age())
    except SignatureExpired:  # raised only after the signature itself was verified
        return None, "expired"
    except BadData:
        return None, "invalid"
    if not isinstance(data, dict):
        return None, "invalid"
    return data, ""


def task_url(member_id: int, request_id: int) -> str:
    return ext.get().settings.public_url.rstrip("/") + "/h5/t/" + task_token(member_id, request_id)


def rating_url(request_id: int, cycle: int) -> str:
    return ext.get().settings.public_url.rstrip("/") + "/h5/r/" + rating_token(request_id, cycle)
