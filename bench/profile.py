"""Where a worker's time goes: py-spy samples both gunicorn workers while wrk drives one
scenario, then prints the frames by inclusive and by own time, and the own time per
package (flask, sqlalchemy, psycopg, citizen_api, ...).

    nice -n 10 .venv/bin/python bench/profile.py --only create "list 50" \
        --database-url postgresql://postgres@127.0.0.1:5432/casa311_bench

Only threads holding the GIL are sampled (`--gil`): a worker waiting for a request or
for the database is not, so the percentages are of the workers' Python CPU time.
"""

from __future__ import annotations

import argparse
import re
import secrets
import subprocess
import sys
import tempfile
import threading
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import fixtures, run

FRAME = re.compile(r"^(?P<func>.*) \((?P<file>[^:()]*)(?::\d+)?\)$")


def package(path: str) -> str:
    """The top-level package of a frame's file (site-packages or the repository)."""
    if "site-packages/" in path:
        path = path.split("site-packages/", 1)[1]
    parts = path.replace(".py", "").split("/")
    return parts[0] if parts[0] not in ("<frozen", "") else path


def summarise(raw: str, top: int) -> str:
    inclusive: Counter = Counter()
    own: Counter = Counter()
    packages: Counter = Counter()
    total = 0
    for line in raw.splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        frames = [f for f in stack.split(";") if not f.startswith("process ")]
        names = []
        for frame in frames:
            m = FRAME.match(frame)
            names.append(f"{m['func']} ({m['file']})" if m else frame)
        if not names:
            continue
        total += n
        for name in set(names):
            inclusive[name] += n
        own[names[-1]] += n
        m = FRAME.match(frames[-1])
        packages[package(m["file"]) if m else frames[-1]] += n
    if not total:
        return "no samples"
    out = [f"{total} samples of busy worker time"]
    out.append("\ninclusive (the frame and what it calls; gunicorn's frames left out):")
    shown = [(k, v) for k, v in inclusive.most_common() if "(gunicorn" not in k]
    for name, n in shown[:top]:
        out.append(f"  {100 * n / total:5.1f} %  {name}")
    out.append("\nown time by package:")
    for name, n in packages.most_common(12):
        out.append(f"  {100 * n / total:5.1f} %  {name}")
    out.append("\nown time by frame:")
    for name, n in own.most_common(top // 2):
        out.append(f"  {100 * n / total:5.1f} %  {name}")
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--duration", type=int, default=8)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--rate", type=int, default=250, help="samples per second")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--only", nargs="*", default=["create", "list 50", "list 50 status+bbox"])
    args = parser.parse_args()

    env = run.bench_env(args.database_url, secrets.token_urlsafe(48))
    sample = fixtures.sample(args.database_url)
    fixtures.ensure_clerk(args.database_url, sample["department"], env)
    py_spy = Path(sys.executable).parent / "py-spy"
    with tempfile.TemporaryDirectory() as tmp:
        for key, codes in (("BENCH_CODES", sample["codes"]), ("BENCH_TICKETS", sample["tickets"])):
            (Path(tmp) / key).write_text("\n".join(codes) + "\n")
            env[key] = str(Path(tmp) / key)
        _, port, target = run.APP
        server = run.serve(target, port, env)
        env["BENCH_TOKEN"] = fixtures.token(port)
        try:
            run.wrk(port, "mixed.lua", argparse.Namespace(connections=4, duration=2), env)  # warm
            for name in args.only:
                out = Path(tmp) / "profile.txt"
                spy = subprocess.Popen(
                    [str(py_spy), "record", "--subprocesses", "--pid", str(server.pid),
                     "--rate", str(args.rate), "--format", "raw", "--nonblocking", "--gil",
                     "-d", str(args.duration), "-o", str(out)],
                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                )  # fmt: skip
                load = threading.Thread(
                    target=run.wrk, args=(port, run.SCENARIOS[name][0], args, env)
                )
                load.start()
                spy.wait()
                load.join()
                print(f"\n## {name} ({args.duration} s, wrk -t1 -c{args.connections})")
                print(summarise(out.read_text(), args.top), flush=True)
        finally:
            run.stop(server)


if __name__ == "__main__":
    main()
