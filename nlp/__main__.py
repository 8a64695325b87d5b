"""``python -m nlp classify|train|evaluate`` — see ``--help``.

Exit codes: 0 ok, 2 bad input (message on stderr, no traceback).
"""
from __future__ import annotations

import argparse
import json
import sys


def _faq_index(args):
    """The FAQ index for classify: --faq FILE, else config/faq.yaml when present."""
    from . import paths

    if args.no_faq:
        return None
    path = args.faq or (paths.FAQ if paths.FAQ.is_file() else None)
    if path is None:
        return None
    from .faq import FaqIndex

    return FaqIndex.from_yaml(path)


def _cmd_classify(args) -> int:
    from .classifier import get_router, router_from_dir

    faq = _faq_index(args)
    router = router_from_dir(args.model, faq=faq) if args.model else get_router(faq=faq)
    print(json.dumps(router.classify(args.text).to_dict(), ensure_ascii=False))
    return 0


def _cmd_train(args) -> int:
    from .datacheck import read_training_csv

    if args.max_chars is not None and args.max_chars < 20:
        raise ValueError("--max-chars must be at least 20")
    if args.max_rows < 10:
        raise ValueError("--max-rows must be at least 10")
    if args.data:
        # fail fast, before the heavy imports: a bad file trains nothing and writes nothing
        _, warnings = read_training_csv(args.data, max_rows=args.max_rows)
        for warning in warnings:
            print(f"warning: {args.data}: {warning}", file=sys.stderr, flush=True)
    corrections = corrections_until = None
    if args.corrections_from_db:
        # the only place nlp touches the app: imported here, never at module level
        from bot.services.training import load_corrections

        corrections, corrections_until = load_corrections()
        print(f"{len(corrections)} correction(s) from the database", file=sys.stderr, flush=True)
    from .classifier import MAX_CHARS
    from .progress import ProgressBar
    from .train import MAX_FOLDS, TRAIN_STEPS, render_report, train_and_save

    if not 1 <= args.folds <= MAX_FOLDS:
        raise ValueError(f"--folds must be between 1 and {MAX_FOLDS}")
    bar = ProgressBar(TRAIN_STEPS)
    try:
        target, meta = train_and_save(args.data, args.model_out, progress=bar, corrections=corrections,
                                      corrections_until=corrections_until,
                                      max_chars=args.max_chars or MAX_CHARS, folds=args.folds,
                                      max_rows=args.max_rows)
    finally:
        bar.close()
    print(render_report(meta), file=sys.stderr, flush=True)
    rep = meta.get("report") or {}
    cal = rep.get("calibration") or {}
    print(json.dumps({
        "version": meta["version"],
        "path": str(target),
        "train_size": meta["train_size"],
        "dev_size": meta["dev_size"],
        "dev_macro_f1": meta["dev_macro_f1"],
        "corrections": meta["corrections"],
        "labels": meta["labels"],
        "served": rep.get("served"),
        "village_rules": meta.get("village_rules"),
        "baseline": rep.get("baseline"),
        "model": rep.get("model"),
        "ece": cal.get("ece"),
        "review_threshold": meta.get("review_threshold"),
        "review_share": (cal.get("at_threshold") or {}).get("review_share"),
        "warnings": rep.get("warnings") or [],
        "report": str(target / "report.md"),
    }, ensure_ascii=False))
    return 0


def _cmd_evaluate(args) -> int:
    from .corpus import read_labelled_csv

    examples = read_labelled_csv(args.file)  # fail fast, before the heavy imports
    from .classifier import get_router, router_from_dir
    from .evaluate import evaluate

    router = router_from_dir(args.model) if args.model else get_router()
    report = evaluate(router, examples, args.predictions)
    print(json.dumps(report, ensure_ascii=False, indent=2))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m nlp", description="村声 message routing: classify, train, evaluate.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("classify", help="classify one message and print JSON")
    p.add_argument("text")
    p.add_argument("--model", help="a model version dir or a models root (default: newest under <var>/models)")
    p.add_argument("--faq", help="FAQ YAML file (default: config/faq.yaml when present)")
    p.add_argument("--no-faq", action="store_true", help="do not answer FAQ questions (intent is never 'faq')")
    p.set_defaults(func=_cmd_classify)

    p = sub.add_parser("train", help="train a new model version")
    p.add_argument("--data", help="CSV with text,label[,split] columns (default: the seed corpus)")
    p.add_argument("--model-out", help="models root; the model goes to <DIR>/<version>/ (default: <var>/models)")
    p.add_argument("--corrections-from-db", action="store_true",
                   help="also train on the admins' corrections (training_examples in DATABASE_URL)")
    p.add_argument("--max-chars", type=int, default=None,
                   help="the model reads the first N characters of a message (default 600)")
    p.add_argument("--folds", type=int, default=5,
                   help="cross-validation folds for the baseline comparison and calibration, fold 1 being"
                        " the dev split (1-5, default 5; 1: the dev split only)")
    p.add_argument("--max-rows", type=int, default=50_000,
                   help="refuse training files with more rows than this (default 50000)")
    p.set_defaults(func=_cmd_train)

    p = sub.add_parser("evaluate", help="score a model on a labelled CSV and print JSON")
    p.add_argument("file", help="CSV with text,label columns (label keys or team names such as 社会保障工作队)")
    p.add_argument("--model", help="a model version dir or a models root (default: newest under <var>/models)")
    p.add_argument("--predictions", metavar="OUT.csv", help="write text,label,predicted,confidence in input order")
    p.set_defaults(func=_cmd_evaluate)
    return parser


def main(argv: list[str] | None = None) -> int:
    from .corpus import CorpusError

    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except CorpusError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except (FileNotFoundError, ValueError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
