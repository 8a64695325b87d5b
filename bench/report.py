"""Results: JSON with everything, a Markdown table a person reads (also latest.md)."""
from __future__ import annotations

import json
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def _ms(x) -> str:
    return "–" if x is None else (f"{x:.0f}" if x >= 100 else f"{x:.1f}")


def table(runs: list[dict]) -> list[str]:
    rows = ["| target | load | sent | ok | errors | req/s | p50 ms | p95 ms | p99 ms | max ms | app CPU ms/req | "
            "CPU % app / db+redis / generator / other |",
            "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|"]
    for run in runs:
        for phase in run["phases"]:
            lat, u = phase["latency_ms"], phase["usage"]
            rows.append(
                f"| {run['label']} | {phase['label']} | {phase['sent']} | {phase['ok']} | {phase['errors_total']} | "
                f"{phase['throughput_rps']:.1f} | {_ms(lat.get('p50'))} | {_ms(lat.get('p95'))} | "
                f"{_ms(lat.get('p99'))} | {_ms(lat.get('max'))} | {_ms(u['server_cpu_ms_per_request'])} | "
                f"{u['server_cpu_pct']:.0f} / {u['backend_cpu_pct']:.0f} / {u['generator_cpu_pct']:.0f} / "
                f"{u['other_cpu_pct']:.0f} |")
    return rows


def markdown(result: dict) -> str:
    cfg, m = result["config"], result["machine"]
    out = [f"# Webhook benchmark — {result['started_utc']}", ""]
    out.append(f"`POST /wechat/demo`, safe mode (AES) text messages with unique MsgIds from {cfg['villagers']} "
               f"villagers bound to the demo county's {len(cfg['villages'])} villages by QR scene, sending the seed "
               f"corpus's problems (`bench/messages.py`); every reply decrypted and checked (Cunsheng: a request "
               f"number; bare: the echo). Server: gunicorn {cfg['server']['workers']} workers × "
               f"{cfg['server']['threads']} threads (gthread), as `bot/runner.py` starts it. Open loop: "
               f"{cfg['rate']:.0f} req/s for {cfg['open_seconds']:.0f} s, latency from the scheduled send time, "
               f"{cfg['open_threads']} generator threads. Closed loop: {cfg['clients']} clients for "
               f"{cfg['closed_seconds']:.0f} s. CPU in % of one core over the phase ({m['logical_cpus']} cores = "
               f"{100 * (m['logical_cpus'] or 1)}%): app = gunicorn master + workers, db+redis = the run's "
               f"PostgreSQL backends and Redis server, generator = this benchmark, other = everything else on "
               f"the machine; app CPU ms/req = app CPU ÷ requests that reached it.")
    fu = [(run["label"], ph["label"], ph["followups"]) for run in result["runs"] for ph in run["phases"]
          if ph.get("followups")]
    if fu:
        out.append("")
        out.append(f"Follow-ups (issue 11): {100 * cfg.get('followup_share', 0):.0f}% of Cunsheng's messages are a "
                   f"chase (催办) or supplement (补充) of a problem the same villager sent ≥ 150 messages earlier "
                   f"(`bench.messages.followup_text`); their replies must name a request number too. What the replies "
                   f"said: " + "; ".join(f"{a} {b}: " + ", ".join(f"{k} {v}" for k, v in f.items()) for a, b, f in fu)
                   + ".")
    out += [""] + table(result["runs"]) + ["", "## Targets", ""]
    for v in result["verdicts"]:
        out.append(f"- **{'PASS' if v['pass'] else 'FAIL'}** {v['text']}")
    if not result["verdicts"]:
        out.append("- (no Cunsheng run completed)")
    prof = result.get("profile")
    if prof:
        out += ["", "## Where a request's time goes (in-process profile, SQLite, one thread)", "",
                f"{prof['ms_per_request_unprofiled']:.1f} ms per request without the profiler "
                f"({prof['ms_per_request_profiled']:.1f} ms with cProfile). Share = cumulative time of the "
                f"part ÷ all profiled time (parts nest, so they overlap); ≈ ms = share × the unprofiled "
                f"time. Full listing: `bench/results/{prof['file']}`.", "",
                "| part | share | ≈ ms/request | calls/request |", "|---|--:|--:|--:|"]
        for b in prof["breakdown"]:
            out.append(f"| {b['part']} | {b['share_pct']:.0f}% | {b['approx_ms_per_request']:.1f} | "
                       f"{b['calls_per_request']:g} |")
    out += ["", "## Machine", ""]
    pk = ", ".join(f"{k} {v}" for k, v in m["packages"].items())
    out += [f"- CPU: {m['cpu_model']} ({m['logical_cpus']} logical CPUs, {m['physical_cores']} cores), "
            f"RAM {m['ram_gib']} GiB, {m['os']}",
            f"- Python {m['python']}; SQLite {m['sqlite']}; "
            + "; ".join(f"{k} {v}" for k, v in result.get("backend_versions", {}).items() if k != "sqlite"),
            f"- {pk}",
            f"- Load average before start: {' / '.join(str(x) for x in m['load_average_before'])}",
            f"- Git commit {m['git_commit'][:12]}" + (f" (+{m['git_dirty_files']} uncommitted files in the tree)"
                                                      if m["git_dirty_files"] else "")]
    if result["skipped"] or result["notes"] or result.get("failed"):
        out += ["", "## Notes", ""]
        out += [f"- Skipped: {s}" for s in result["skipped"]]
        out += [f"- FAILED {f['target']}: " + f["error"].splitlines()[0][:300] for f in result.get("failed", [])]
        out += [f"- {n}" for n in result["notes"]]
    out.append("")
    return "\n".join(out)


def write(result: dict, stamp: str) -> tuple[Path, Path]:
    RESULTS.mkdir(parents=True, exist_ok=True)
    jpath = RESULTS / f"webhook-{stamp}.json"
    mpath = RESULTS / f"webhook-{stamp}.md"
    jpath.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    md = markdown(result)
    mpath.write_text(md, encoding="utf-8")
    return jpath, mpath


PARTS = (("webhook", "Webhook (POST /wechat/demo)"), ("nlp", "Routing model (issue 3)"),
         ("dialog", "Classification plus dialog (issue 11)"),
         ("followup", "Follow-through (issue 4)"), ("admin", "Admin console, 1 M requests (issue 5)"))


def _demote(md: str) -> str:
    """A part's own file starts at '#': one level down inside latest.md."""
    return "\n".join(("#" + ln) if ln.startswith("#") else ln for ln in md.splitlines())


def write_latest(stamp: str, ran: list[str]) -> Path:
    """latest.md: the newest result of every part; parts not run now come from earlier runs (dated)."""
    out = ["# Cunsheng benchmarks — latest results", "",
           f"Run {stamp} ran: {', '.join(ran) or 'nothing'}. Parts not run this time are the newest earlier "
           f"result of that part (its date is in its heading). How to run and what each part measures: "
           f"`docs/benchmarks.md`.", ""]
    for key, title in PARTS:
        files = sorted(RESULTS.glob(f"{key}-*.md"))
        if not files:
            out += [f"## {title}", "", "(never run)", ""]
            continue
        newest = files[-1]
        fresh = newest.stem.endswith(stamp)
        out += [_demote(newest.read_text(encoding="utf-8")).rstrip(), "",
                f"*({'this run' if fresh else 'earlier run'}: `bench/results/{newest.name}`)*", ""]
    path = RESULTS / "latest.md"
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return path


def machine_lines(m: dict) -> list[str]:
    pk = ", ".join(f"{k} {v}" for k, v in m["packages"].items())
    return [f"- CPU: {m['cpu_model']} ({m['logical_cpus']} logical CPUs, {m['physical_cores']} cores), "
            f"RAM {m['ram_gib']} GiB, {m['os']}",
            f"- Python {m['python']}; SQLite {m['sqlite']}", f"- {pk}",
            f"- Load average before start: {' / '.join(str(x) for x in m['load_average_before'])}",
            f"- Git commit {m['git_commit'][:12]}" + (f" (+{m['git_dirty_files']} uncommitted files in the tree)"
                                                      if m["git_dirty_files"] else "")]


def write_part(key: str, result: dict, md: str, stamp: str) -> tuple[Path, Path]:
    RESULTS.mkdir(parents=True, exist_ok=True)
    jpath, mpath = RESULTS / f"{key}-{stamp}.json", RESULTS / f"{key}-{stamp}.md"
    jpath.write_text(json.dumps(result, ensure_ascii=False, indent=2, default=str) + "\n", encoding="utf-8")
    mpath.write_text(md, encoding="utf-8")
    return jpath, mpath
