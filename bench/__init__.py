"""Benchmarks and the synthetic data generator (``bench/generate.py``); see bench/README.md."""
