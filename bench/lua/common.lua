-- Shared by the scenarios: print the run's numbers as one JSON line wrk's caller parses.
function done(summary, latency, requests)
  local s = summary.duration / 1e6
  io.write(string.format(
    'RESULT {"requests": %d, "rps": %.1f, "p50_ms": %.2f, "p95_ms": %.2f, "p99_ms": %.2f, ' ..
    '"non2xx": %d, "errors": %d}\n',
    summary.requests, summary.requests / s, latency:percentile(50) / 1000,
    latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    summary.errors.status, summary.errors.connect + summary.errors.read +
    summary.errors.write + summary.errors.timeout))
end
