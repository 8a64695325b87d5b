"""Versioned models on disk: ``<root>/<version>/model.joblib`` + ``meta.json``
(+ ``fast.npz``, the compiled form a serving process loads: ``fastpath``).

A model is written to a temporary directory and renamed into place, so a
router polling the root never sees half a model. Pickles are tied to the
scikit-learn version, so models saved by another version are skipped. Neither
joblib nor scikit-learn is imported to list or choose models (the installed
version is read from the package metadata): a process serving ``fast.npz``
never imports them.
"""
from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import tempfile
from functools import lru_cache
from importlib import metadata
from pathlib import Path

MODEL_FILE = "model.joblib"
META_FILE = "meta.json"


def read_meta(version_dir: Path) -> dict | None:
    try:
        with open(version_dir / META_FILE, encoding="utf-8") as fh:
            meta = json.load(fh)
        if not isinstance(meta, dict) or not (version_dir / MODEL_FILE).is_file():
            return None
        return meta
    except (OSError, ValueError):
        return None


@lru_cache(maxsize=1)
def sklearn_version() -> str:
    """The installed scikit-learn's version, without importing it."""
    try:
        return metadata.version("scikit-learn")
    except metadata.PackageNotFoundError:  # pragma: no cover - e.g. a vendored copy
        import sklearn

        return sklearn.__version__


def list_models(root: Path) -> list[tuple[str, str, Path, dict]]:
    """Loadable models under root, oldest first: (created_at, version, dir, meta)."""
    found = []
    try:
        entries = list(os.scandir(root))
    except OSError:
        return []
    for entry in entries:
        if entry.name.startswith(".") or not entry.is_dir():
            continue
        path = Path(entry.path)
        meta = read_meta(path)
        if meta is None or meta.get("sklearn_version") != sklearn_version():
            continue
        found.append((str(meta.get("created_at", "")), str(meta.get("version", entry.name)), path, meta))
    found.sort(key=lambda item: (item[0], item[1]))
    return found


def newest_model(root: Path) -> tuple[Path, dict] | None:
    models = list_models(root)
    if not models:
        return None
    _, _, path, meta = models[-1]
    return path, meta


def resolve_model_dir(path: Path) -> tuple[Path, dict] | None:
    """A version dir itself, or the newest version under a models root."""
    meta = read_meta(path)
    if meta is not None:
        return path, meta
    return newest_model(path)


def save_model(model, meta: dict, root: Path, compiled=None) -> Path:
    """Write model + meta (+ the compiled form, a ``fastpath.CompiledModel``) to
    ``root/<meta['version']>`` atomically; returns the dir."""
    import joblib

    root.mkdir(parents=True, exist_ok=True)
    target = root / meta["version"]
    tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=root))
    os.chmod(tmp, 0o755)
    try:
        joblib.dump(model, tmp / MODEL_FILE, compress=3)
        if compiled is not None:
            from . import fastpath

            compiled.save(tmp / fastpath.FILE)
        with open(tmp / META_FILE, "w", encoding="utf-8") as fh:
            json.dump(meta, fh, ensure_ascii=False, indent=2)
        if target.exists():
            shutil.rmtree(target)
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return target


def add_file(version_dir: Path, name: str, write) -> bool:
    """Add a derived file to an existing version dir, atomically, best effort.

    ``write(path)`` writes it to a temporary path that is then renamed into
    place; False (and nothing left behind) when that fails, e.g. a read-only dir.
    """
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix="-" + name, dir=version_dir)
        os.close(fd)
        write(tmp)
        os.chmod(tmp, 0o644)
        os.replace(tmp, version_dir / name)
        return True
    except Exception:  # noqa: BLE001 - an optimisation only: serving goes on without it
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        return False


def load_model(version_dir: Path):
    """The scikit-learn pipeline of a version (imports scikit-learn)."""
    import joblib

    return joblib.load(version_dir / MODEL_FILE)


@contextlib.contextmanager
def training_lock(root: Path):
    """One process trains at a time per models root (others wait, then load)."""
    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".train.lock", "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
