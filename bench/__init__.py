"""Hold the hand-run benchmarks of the auxpolice service (not part of the test suite)."""
