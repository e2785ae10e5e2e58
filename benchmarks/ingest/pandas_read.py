#!/usr/bin/env python3
"""Times pandas.read_csv on one file; prints `cpu_seconds wall_seconds rows`."""
import sys
import time
import pandas

start_cpu, start_wall = time.process_time(), time.perf_counter()
frame = pandas.read_csv(sys.argv[1])
print(f"{time.process_time() - start_cpu:.3f} {time.perf_counter() - start_wall:.3f} {len(frame)}")
