"""``python -m nlp classify|train|evaluate`` — see ``--help``.

Exit codes: 0 ok, 2 bad input (message on stderr, no traceback).
"""
from __future__ import annotations

import argparse
import json
import sys


def _cmd_classify(args) -> int:
    from .classifier import get_router, router_from_dir

    router = router_from_dir(args.model) if args.model else get_router()
    print(json.dumps(router.classify(args.text).to_dict(), ensure_ascii=False))
    return 0


def _cmd_train(args) -> int:
    from .corpus import read_labelled_csv

    if args.data:
        read_labelled_csv(args.data)  # fail fast, before the heavy imports
    from .train import train_and_save

    def progress(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    target, meta = train_and_save(args.data, args.model_out, progress=progress)
    print(json.dumps({
        "version": meta["version"],
        "path": str(target),
        "train_size": meta["train_size"],
        "dev_size": meta["dev_size"],
        "dev_macro_f1": meta["dev_macro_f1"],
        "labels": meta["labels"],
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
    p.set_defaults(func=_cmd_classify)

    p = sub.add_parser("train", help="train a new model version")
    p.add_argument("--data", help="CSV with text,label[,split] columns (default: the seed corpus)")
    p.add_argument("--model-out", help="models root; the model goes to <DIR>/<version>/ (default: <var>/models)")
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
