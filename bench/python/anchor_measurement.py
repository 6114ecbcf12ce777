"""What every Python anchor reports: the same JSON fields as a Node run of the benchmark harness."""
import json
import resource
import threading
import time


def percentiles(latencies_ms):
    """count, p50, p90, p99, p99.9 and max of a list of latencies in ms (exact, from the sorted list)."""
    if not latencies_ms:
        return {"count": 0, "p50": 0, "p90": 0, "p99": 0, "p999": 0, "max": 0}
    ordered = sorted(latencies_ms)

    def at(fraction):
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]

    return {
        "count": len(ordered),
        "p50": at(0.50),
        "p90": at(0.90),
        "p99": at(0.99),
        "p999": at(0.999),
        "max": ordered[-1],
    }


class Measurement:
    """Started when created: wall time, CPU time of the process, and one latency per confirmed event."""

    def __init__(self):
        self._lock = threading.Lock()
        self.latencies_ms = []
        self.started = time.perf_counter()
        self.cpu_started = time.process_time()
        self.seconds = None
        self.cpu_seconds = None

    def confirmed(self, sent_at, at=None):
        """An event published at `sent_at` (time.perf_counter()) was confirmed now (or at `at`)."""
        latency = ((at if at is not None else time.perf_counter()) - sent_at) * 1000
        with self._lock:
            self.latencies_ms.append(latency)

    def finish(self):
        self.seconds = time.perf_counter() - self.started
        self.cpu_seconds = time.process_time() - self.cpu_started

    def to_json(self):
        events = len(self.latencies_ms)
        peak_rss_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return json.dumps(
            {
                "events": events,
                "seconds": self.seconds,
                "eventsPerSecond": events / self.seconds,
                "cpuMicrosPerEvent": self.cpu_seconds * 1e6 / max(1, events),
                "eventLoopDelayP99Ms": None,
                "eventLoopUtilization": None,
                "peakRssMb": peak_rss_kib / 1024,
                "latency": {"ack": percentiles(self.latencies_ms)},
            }
        )
