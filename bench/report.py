"""The benchmark's table, in the shape of issue 15's: per scenario the baseline and the
app, their ratio, p50/p99, worker CPU per request, the database's own rate for the same
SQL, and the verdict against the target."""

from __future__ import annotations

import statistics


def median(values) -> float:
    return statistics.median(values)


def verdict(ratio: float, p99: float, cpu: float, targets) -> str:
    ratio_target, p99_target, cpu_target = targets
    wanted, misses = [], []
    if ratio_target:
        wanted.append(f">= {ratio_target}x")
        if ratio < ratio_target:
            misses.append("ratio")
    if p99_target:
        wanted.append(f"p99 < {p99_target:.0f} ms")
        if p99 >= p99_target:
            misses.append("p99")
    if cpu_target:
        wanted.append(f"<= {cpu_target} ms CPU")
        if cpu > cpu_target:
            misses.append("CPU")
    if not wanted:
        return "-"
    return ", ".join(wanted) + (": met" if not misses else f": NOT met ({', '.join(misses)})")


def table(results: dict, scenarios: dict, db_tps: dict, trips: dict) -> str:
    """A Markdown table (pasted as is into bench/RESULTS.md)."""
    lines = [
        "| scenario | bare req/s | app req/s | ratio, median (min-max) | app p50 / p99 ms "
        "| worker CPU ms/req app / bare | round trips | pgbench same SQL tx/s | target: verdict |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, sides in results.items():
        app, bare = sides["app"], sides["bare"]
        ratios = [a["rps"] / max(b["rps"], 1e-9) for a, b in zip(app, bare, strict=True)]
        ratio = median(ratios)
        p50, p99 = median(r["p50_ms"] for r in app), median(r["p99_ms"] for r in app)
        cpu, bare_cpu = median(r["cpu_ms"] for r in app), median(r["cpu_ms"] for r in bare)
        bad = sum(r["non2xx"] + r["errors"] for r in app)
        extra = ""
        if "flask" in sides:
            flask = sides["flask"]
            flask_ratio = median(f["rps"] / b["rps"] for f, b in zip(flask, bare, strict=True))
            extra = (f" (bare Flask route: {flask_ratio:.3f}x, "
                     f"{median(r['cpu_ms'] for r in flask):.2f} ms)")  # fmt: skip
        tps = db_tps.get(name)
        db = f"{median(tps):,.0f} ({min(tps):,.0f}-{max(tps):,.0f})" if tps else "-"
        lines.append(
            f"| {name}{extra} | {median(r['rps'] for r in bare):,.0f} "
            f"| {median(r['rps'] for r in app):,.0f}{f' ({bad} non-2xx/errors)' if bad else ''} "
            f"| {ratio:.3f}x ({min(ratios):.3f}-{max(ratios):.3f}) | {p50:.1f} / {p99:.1f} "
            f"| {cpu:.2f} / {bare_cpu:.2f} | {trips.get(name, '-')} | {db} "
            f"| {verdict(ratio, p99, cpu, scenarios[name][2:])} |"
        )
    return "\n".join(lines)


def _both(before: list, after: list, key: str, digits: int) -> str:
    return " / ".join(f"{median(r[key] for r in rows):.{digits}f}" for rows in (before, after))


def compare(results: dict) -> str:
    """Before and after in the same interleaved rounds: requests/s, p99, worker CPU."""
    lines = [
        "| scenario | before req/s | after req/s | after / before, median (min-max) "
        "| p99 ms before / after | worker CPU ms/req before / after |",
        "|---|---|---|---|---|---|",
    ]
    for name, sides in results.items():
        before, after = sides.get("before"), sides["app"]
        if not before:
            continue
        gains = [a["rps"] / max(b["rps"], 1e-9) for a, b in zip(after, before, strict=True)]
        lines.append(
            f"| {name} | {median(r['rps'] for r in before):,.0f} "
            f"| {median(r['rps'] for r in after):,.0f} "
            f"| {median(gains):.2f}x ({min(gains):.2f}-{max(gains):.2f}) "
            f"| {_both(before, after, 'p99_ms', 1)} | {_both(before, after, 'cpu_ms', 2)} |"
        )
    return "\n".join(lines)
