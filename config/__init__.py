"""Configuration: environment settings and the county's domain data (teams, deadlines, demo county)."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

from config.settings import CONFIG_DIR, Settings, var_dir  # noqa: F401


@lru_cache(maxsize=None)
def load_yaml(name: str) -> dict:
    with open(Path(CONFIG_DIR) / name, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def team_kinds() -> list[dict]:
    """The configured team kinds, in display order. Another county may run other teams."""
    return load_yaml("teams.yaml")["team_kinds"]


def team_kind(key: str) -> dict | None:
    for kind in team_kinds():
        if kind["key"] == key:
            return kind
    return None


def deadlines() -> dict:
    return load_yaml("teams.yaml")["deadlines"]
