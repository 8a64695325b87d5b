"""Benchmarks for Cunsheng, run by `make bench` (`python -m bench`), never by the test suite.

`webhook`: POST /wechat/demo with encrypted text messages under an open-loop load (fixed
offered rate, latency from the scheduled send time) and a closed-loop load (N clients as
fast as they can), next to a bare wechatpy handler served the same way. Results go to
bench/results/ (JSON + a Markdown table; latest.md is the newest table).
"""
