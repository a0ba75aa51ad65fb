"""Benchmarks of the ViewMembership and FlagLink providers against the emulator (`make bench`).

Benchmarks report numbers; they never pass or fail on time. Run with `python -m benchmarks`
(after `source scripts/env.sh`, see `scripts/bench`); `BENCH_QUICK=1` uses smaller sizes.
"""
