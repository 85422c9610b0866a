"""The benchmark: scenarios, same-run baselines, report. Run with `make bench`."""
