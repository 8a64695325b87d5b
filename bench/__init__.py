"""Benchmarks for Cunsheng, run by `make bench` (`python -m bench`), never by the test suite.

`webhook`: POST /wechat/demo with encrypted text messages under an open-loop load (fixed
offered rate, latency from the scheduled send time) and a closed-loop load (N clients as
fast as they can), next to a bare wechatpy handler served the same way.
`nlp` (issue 3): bench/nlp_bench.py's run(), when it exists. `followup` (issue 4):
bench/followup_bench.py. `admin` (issue 5, opt-in): bench/admin_bench.py.
Results go to bench/results/ (<part>-<time>.json/.md; latest.md has the newest of every
part). How to run and what each part measures: docs/benchmarks.md.
"""
