"""The benchmark suite: per-call overhead, streaming, import time and concurrency.

Run it with ``make bench`` (or ``python -m benchmarks.run --quick`` for a smoke run).
Every benchmark compares our adapters with their peers *in the same run*, because
the machines we run on are shared and noisy: ratios from one run are stable, absolute
microseconds are not.
"""
