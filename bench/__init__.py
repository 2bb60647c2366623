"""`make bench`: the portal's benchmarks, run from the repository's root: ``python -m bench.X``."""
