"""Mesures de performance à l'échelle nationale (voir benchmarks/README.md) : `python benchmarks/run.py`."""
