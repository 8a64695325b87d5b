"""Where the nlp package keeps its files.

Data that ships with the code lives in ``nlp/data``; everything the package
writes at run time (jieba cache, trained models) lives under the app-owned var
directory: ``$CUNSHENG_VAR_DIR`` or ``<repo>/var``. The environment is read on
every call so tests (and a county's deployment) can point it elsewhere.
"""
from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = PACKAGE_DIR / "data"
REPO_DIR = PACKAGE_DIR.parent

SEED_CORPUS = DATA_DIR / "seed.csv"
USER_DICT = DATA_DIR / "userdict.txt"
SYNONYMS = DATA_DIR / "synonyms.txt"
STOPWORDS = DATA_DIR / "stopwords.txt"
KEYWORDS = DATA_DIR / "keywords.yaml"
FAQ = REPO_DIR / "config" / "faq.yaml"  # read by the CLI; the app passes its own FaqIndex


def var_dir() -> Path:
    """The app-owned directory for run-time files (created on demand)."""
    path = Path(os.environ.get("CUNSHENG_VAR_DIR") or REPO_DIR / "var")
    path.mkdir(parents=True, exist_ok=True)
    return path


def models_dir() -> Path:
    """Root of the versioned models: ``<var>/models/<version>/model.joblib``."""
    path = var_dir() / "models"
    path.mkdir(parents=True, exist_ok=True)
    return path


def jieba_dir() -> Path:
    path = var_dir() / "jieba"
    path.mkdir(parents=True, exist_ok=True)
    return path
