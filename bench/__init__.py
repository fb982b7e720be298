"""Benchmarks of omnigate_openai against plain openai, the omnigate 0.2 SDK and raw httpx (issue 9).

Run `python -m bench` from the repository root; `README.bench.md` has the latest table.
"""
