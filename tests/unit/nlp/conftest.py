"""Fixtures for the nlp tests: one model trained per session in a tmp var dir."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="session")
def var_dir(tmp_path_factory) -> Path:
    """A private var dir (jieba cache, models) shared by the nlp tests."""
    return tmp_path_factory.mktemp("cunsheng-var")


@pytest.fixture(scope="module", autouse=True)
def _use_private_var_dir(var_dir):
    """Point CUNSHENG_VAR_DIR at the private dir while an nlp test module runs.

    Module scope (not session) so tests in other packages never see it.
    """
    old = os.environ.get("CUNSHENG_VAR_DIR")
    os.environ["CUNSHENG_VAR_DIR"] = str(var_dir)
    yield
    if old is None:
        os.environ.pop("CUNSHENG_VAR_DIR", None)
    else:
        os.environ["CUNSHENG_VAR_DIR"] = old


@pytest.fixture(scope="session")
def trained(var_dir):
    """(version dir, meta) of a model trained once from the seed corpus."""
    from nlp import paths
    from nlp.train import train_and_save

    return train_and_save(paths.SEED_CORPUS, var_dir / "models")


@pytest.fixture(scope="session")
def router(trained, var_dir):
    from nlp import get_router

    return get_router(var_dir / "models")


@pytest.fixture
def run_cli(var_dir, trained):
    """Run ``python -m nlp ...`` in a subprocess against the session's var dir."""

    def run(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
        full_env = {**os.environ, "CUNSHENG_VAR_DIR": str(var_dir), "PYTHONWARNINGS": "error"}
        full_env.update(env or {})
        return subprocess.run(
            [sys.executable, "-m", "nlp", *args],
            cwd=REPO, env=full_env, capture_output=True, text=True, timeout=120,
        )

    return run
