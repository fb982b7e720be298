"""Benchmarks of omnigate_openai against plain openai, the omnigate 0.2 SDK and raw httpx.

Run `python -m bench` from the repository root; the README's "Benchmarks" section has the latest tables.
"""
