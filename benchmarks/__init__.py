"""Benchmarks of runninghub-video: `make bench`, or `python -m benchmarks.run NAME...`."""
