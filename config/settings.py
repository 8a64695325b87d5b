"""Settings from the environment (12-factor). Domain data lives in the YAML files beside this module."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONFIG_DIR = Path(__file__).resolve().parent

# The demo official account. Anyone can run the service with these; production must override them.
DEMO_TOKEN = "cunsheng_demo_token"
DEMO_APPID = "wxcunshengdemo0001"
DEMO_SECRET = "cunsheng-demo-secret"
DEMO_AES_KEY = "Q3Vuc2hlbmdEZW1vQWNjb3VudEFFU0tleTIwMjYhISE"  # 43 chars: base64 of 32 bytes without "="


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return default if value is None else value


def var_dir() -> Path:
    path = Path(_env("CUNSHENG_VAR_DIR", str(ROOT / "var")))
    path.mkdir(parents=True, exist_ok=True)
    return path


@dataclass
class Settings:
    app_env: str = "development"
    port: int = 5000
    public_url: str = ""
    database_url: str = ""
    redis_url: str = ""
    secret_key: str = "dev-secret-change-me"
    wechat_token: str = DEMO_TOKEN
    wechat_appid: str = DEMO_APPID
    wechat_aes_key: str = DEMO_AES_KEY
    wechat_secret: str = DEMO_SECRET
    wechat_api_base: str = ""
    wechat_timeout: float = 5.0
    county_code: str = "GC"
    max_body_bytes: int = 64 * 1024
    #: confidence below which a request waits for a person; None (REVIEW_THRESHOLD unset): the
    #: serving model's, chosen at training from its reliability curve (docs/nlp.md)
    review_threshold: float | None = 0.45
    extra: dict = field(default_factory=dict)

    @property
    def production(self) -> bool:
        return self.app_env == "production"

    @classmethod
    def from_env(cls, **overrides) -> "Settings":
        port = int(_env("PORT", "5000"))
        s = cls(
            app_env=_env("APP_ENV", "development"),
            port=port,
            public_url=_env("PUBLIC_URL", f"http://127.0.0.1:{port}"),
            database_url=_env("DATABASE_URL", "") or f"sqlite:///{var_dir() / 'cunsheng.db'}",
            redis_url=_env("REDIS_URL", "") or "",
            secret_key=_env("SECRET_KEY", "dev-secret-change-me"),
            wechat_token=_env("WECHAT_TOKEN", DEMO_TOKEN),
            wechat_appid=_env("WECHAT_APPID", DEMO_APPID),
            wechat_aes_key=_env("WECHAT_AES_KEY", DEMO_AES_KEY),
            wechat_secret=_env("WECHAT_SECRET", DEMO_SECRET),
            wechat_api_base=_env("WECHAT_API_BASE", "") or "",
            county_code=_env("COUNTY_CODE", "GC"),
            review_threshold=float(_env("REVIEW_THRESHOLD")) if _env("REVIEW_THRESHOLD", "").strip() else None,
        )
        for key, value in overrides.items():
            setattr(s, key, value)
        if not s.wechat_api_base:
            # dev and test: the built-in fake WeChat API served by this app
            s.wechat_api_base = f"{s.public_url}/dev/wechat-api"
        if s.database_url.startswith("postgresql://"):
            s.database_url = "postgresql+psycopg://" + s.database_url[len("postgresql://"):]
        s.validate()
        return s

    def validate(self) -> None:
        if not self.production:
            return
        missing = []
        if self.secret_key == "dev-secret-change-me":
            missing.append("SECRET_KEY")
        for name, value, demo in (("WECHAT_TOKEN", self.wechat_token, DEMO_TOKEN),
                                  ("WECHAT_APPID", self.wechat_appid, DEMO_APPID),
                                  ("WECHAT_SECRET", self.wechat_secret, DEMO_SECRET),
                                  ("WECHAT_AES_KEY", self.wechat_aes_key, DEMO_AES_KEY)):  # empty: plaintext mode
            if value == demo:
                missing.append(name)
        if not self.redis_url:
            missing.append("REDIS_URL")
        if not self.wechat_api_base or "/dev/wechat-api" in self.wechat_api_base:
            missing.append("WECHAT_API_BASE")
        if missing:
            raise RuntimeError("APP_ENV=production requires (the demo account's values are public): "
                               + ", ".join(missing))
