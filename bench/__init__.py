"""Benchmarks of the deployed Smart Access stack: ``python -m bench [--quick]``.

The runner deploys the local stack under its own name, loads a realistic data
set, drives the API with wrk and writes ``bench/results.json`` and
``bench/report.md`` with an SVG chart. See ``bench/README.md``.
"""
