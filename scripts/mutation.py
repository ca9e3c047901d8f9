"""`make mutation`: mutation testing of the domain and notifications, on SpatiaLite.

For each module in MODULES, mutmut (installed by the Makefile target) mutates that module
alone and runs only that module's own tests against each mutant, in a work folder of its
own under build/mutation/ (so one module can be rerun without the others). mutmut only
mutates code inside functions; the module-level tables and patterns that matter (the log
mask, the transition table, the tracking alphabet...) are covered by the hand-written
mutants of tests/mutation/planted.toml, applied one at a time to a copy of the tree.

Every survivor must be listed in tests/mutation/survivors.toml with why it is equivalent
(no behaviour changes) or harmless (a change nobody could notice); the kill rate of a
module is killed / (mutants - equivalent), and the target is 90 %. The results table of
tests/MUTATION.md is rewritten with the date and the command.

    python scripts/mutation.py                  # every module, then the planted mutants
    python scripts/mutation.py workflow phones  # some modules (names as in MODULES)
    python scripts/mutation.py --planted        # only the planted mutants

Exit status 1 when a module misses the target or a survivor is not explained.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "build" / "mutation"
SURVIVORS = ROOT / "tests" / "mutation" / "survivors.toml"
PLANTED = ROOT / "tests" / "mutation" / "planted.toml"
REPORT = ROOT / "tests" / "MUTATION.md"
TARGET = 0.90
MUTMUT = Path(sys.executable).with_name("mutmut")
SOURCES = ("citizen_api", "models", "notifications")
ENV = {
    "CASA311_TEST_BACKENDS": "spatialite",  # one backend: the domain is the same on both
    "CASA311_TWILIO_EMULATOR": "fake",  # the stateful fake, without Prism in front
    "HYPOTHESIS_PROFILE": "mutation",  # the same examples for every mutant
    # One migrated, seeded SpatiaLite file, built by the clean run and copied by every
    # mutant's `app` fixture (tests/helpers.py), instead of migrating once per mutant.
    "CASA311_TEST_DB_TEMPLATES": str(WORK / "_templates"),
}

# module name -> (its file, the tests that exercise it). Only these tests run against the
# module's mutants (mutmut narrows further to the tests that call the mutated function).
MODULES: dict[str, tuple[str, list[str]]] = {}


def _load_modules() -> None:
    data = tomllib.loads((ROOT / "tests" / "mutation" / "modules.toml").read_text())
    for name, entry in data.items():
        MODULES[name] = (entry["file"], entry["tests"])


@dataclass
class Outcome:
    name: str
    file: str
    seconds: float = 0.0
    statuses: dict[str, str] = field(default_factory=dict)  # mutant -> mutmut's status
    error: str = ""
    when: str = ""  # when mutmut finished, UTC
    command: str = ""  # what ran it

    def count(self, *wanted: str) -> int:
        return sum(1 for s in self.statuses.values() if s in wanted)


def _ignore(directory: str, names: list[str]) -> set[str]:
    return {n for n in names if n in ("node_modules", "__pycache__", "build", ".hypothesis")}


def _workdir(name: str, file: str, tests: list[str]) -> Path:
    """build/mutation/<name>/: the sources and tests, and mutmut's settings for one module."""
    work = WORK / name
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    for entry in (*SOURCES, "alembic", "alembic.ini", "setup.cfg"):
        (work / entry).symlink_to(ROOT / entry)
    shutil.copytree(ROOT / "tests", work / "tests", ignore=_ignore)
    _settings(work, file, tests)
    return work


def _settings(work: Path, file: str, tests: list[str]) -> None:
    """mutmut's settings (and pytest's) in the work folder's pyproject.toml."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    pytest_options = pyproject["tool"]["pytest"]["ini_options"]
    toml = [
        "[tool.pytest.ini_options]",
        *(f"{k} = {_toml(v)}" for k, v in pytest_options.items()),
        "",
        "[tool.mutmut]",
        f"source_paths = {_toml(list(SOURCES))}",
        f"only_mutate = {_toml([file])}",
        f"pytest_add_cli_args_test_selection = {_toml(tests)}",
        # no:unraisableexception: its forced garbage collections at the end of a session
        # cost about a second per mutant; it only turns unraisable exceptions into warnings.
        'pytest_add_cli_args = ["-p", "no:randomly", "-p", "no:cacheprovider", '
        '"-p", "no:unraisableexception"]',
        'also_copy = ["tests", "alembic", "alembic.ini", "setup.cfg"]',
        "",
    ]
    for folder in (work, work / "mutants"):
        if folder.exists():
            (folder / "pyproject.toml").write_text("\n".join(toml))


def _toml(value) -> str:
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return str(value).lower() if isinstance(value, bool) else str(value)


def run_module(name: str, children: int) -> Outcome:
    file, tests = MODULES[name]
    outcome = Outcome(name, file)
    work = _workdir(name, file, tests)
    env = {**os.environ, **ENV}
    started = time.monotonic()
    with open(work / "mutmut.log", "w") as log:
        run = subprocess.run(
            [str(MUTMUT), "run", "--max-children", str(children)],
            cwd=work,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    outcome.seconds = time.monotonic() - started
    results = subprocess.run(
        [str(MUTMUT), "results", "--all", "true"],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
    )
    for line in results.stdout.splitlines():
        match = re.match(r"\s+(\S+__mutmut_\d+): (.+)$", line)
        if match:
            outcome.statuses[match.group(1)] = match.group(2).strip()
    if run.returncode != 0 and not outcome.statuses:
        outcome.error = f"mutmut exited {run.returncode}; see {work / 'mutmut.log'}"
    if outcome.count("not checked") == len(outcome.statuses):
        outcome.error = f"no mutant was tested (the clean run failed?); see {work / 'mutmut.log'}"
    saved = {"file": file, "seconds": outcome.seconds, "error": outcome.error}
    outcome.when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M")
    outcome.command = f"make mutation MODULES={name}"
    saved["when"], saved["command"] = outcome.when, outcome.command
    saved["statuses"] = outcome.statuses
    (work / "outcome.json").write_text(json.dumps(saved, indent=1))
    return outcome


def recheck(name: str, mutants: list[str], children: int) -> Outcome:
    """Run some mutants of a module's last run again, against the current tests (after a
    test was written to kill them): the work folder keeps the mutated code, and only its
    tests are refreshed. Their new statuses replace the old ones in outcome.json."""
    outcome = saved_outcome(name)
    if outcome is None:
        raise SystemExit(f"{name} has no run to recheck: run `make mutation MODULES={name}`")
    work = WORK / name
    for tests in (work / "tests", work / "mutants" / "tests"):
        shutil.copytree(ROOT / "tests", tests, ignore=_ignore, dirs_exist_ok=True)
    _settings(work, *MODULES[name])  # the module's tests as modules.toml lists them now
    started = time.monotonic()
    env = {**os.environ, **ENV}
    with open(work / "mutmut-recheck.log", "w") as log:
        subprocess.run(
            [str(MUTMUT), "run", "--max-children", str(children), *mutants],
            cwd=work,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    results = subprocess.run(
        [str(MUTMUT), "results", "--all", "true"], cwd=work, env=env, capture_output=True, text=True
    )
    for line in results.stdout.splitlines():
        match = re.match(r"\s+(\S+__mutmut_\d+): (.+)$", line)
        if match and match.group(1) in mutants:
            outcome.statuses[match.group(1)] = match.group(2).strip()
    outcome.seconds += time.monotonic() - started
    outcome.when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M")
    saved = {"file": outcome.file, "seconds": outcome.seconds, "error": outcome.error}
    outcome.command = f"make mutation MODULES={name}, then scripts/mutation.py --recheck {name}"
    saved.update(when=outcome.when, command=outcome.command, statuses=outcome.statuses)
    saved["rechecked"] = mutants
    (work / "outcome.json").write_text(json.dumps(saved, indent=1))
    return outcome


def saved_outcome(name: str) -> Outcome | None:
    """The last run of one module, as run_module saved it."""
    path = WORK / name / "outcome.json"
    if not path.exists():
        return None
    saved = json.loads(path.read_text())
    outcome = Outcome(name, saved["file"], saved["seconds"], saved["statuses"], saved["error"])
    outcome.when = saved.get("when", "")[:16].replace("T", " ")
    outcome.command = saved.get("command", "")
    return outcome


def show(name: str, mutant: str) -> str:
    shown = subprocess.run(
        [str(MUTMUT), "show", mutant],
        cwd=WORK / name,
        env={**os.environ, **ENV},
        capture_output=True,
        text=True,
    )
    return shown.stdout


@dataclass
class Planted:
    name: str
    killed: bool
    detail: str


def run_planted(only: set[str] | None = None) -> list[Planted]:
    """Each hand-written mutant of planted.toml on a copy of the tree, with its tests."""
    entries = tomllib.loads(PLANTED.read_text())
    work = WORK / "_planted"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    for entry in (*SOURCES, "tests"):
        shutil.copytree(ROOT / entry, work / entry, ignore=_ignore)
    for entry in ("alembic", "alembic.ini", "setup.cfg", "pyproject.toml"):
        source = ROOT / entry
        (shutil.copytree if source.is_dir() else shutil.copy)(source, work / entry)
    env = {**os.environ, **ENV}
    outcomes = []
    for name, entry in entries.items():
        if only and entry["file"] not in only:
            continue
        target = work / entry["file"]
        original = target.read_text()
        if original.count(entry["find"]) != 1:
            outcomes.append(Planted(name, False, "its code is no longer there once: update it"))
            continue
        target.write_text(original.replace(entry["find"], entry["replace"]))
        backends = {"CASA311_TEST_BACKENDS": entry["backends"]} if "backends" in entry else {}
        try:
            run = subprocess.run(
                [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:randomly", *entry["tests"]],
                cwd=work,
                env={**env, **backends},
                capture_output=True,
                text=True,
                timeout=900,
            )
            tail = (run.stdout.strip().splitlines() or [""])[-1]
            outcomes.append(Planted(name, run.returncode == 1, tail))
        finally:
            target.write_text(original)
    kept = {p.name: p for p in saved_planted() if p.name in entries}  # a partial run
    kept.update({p.name: p for p in outcomes})  # replaces only what it ran
    saved = {"when": dt.datetime.now(dt.UTC).isoformat(timespec="minutes")}
    saved["outcomes"] = [p.__dict__ for p in kept.values()]
    (WORK / "planted.json").write_text(json.dumps(saved, indent=1))
    return outcomes


def saved_planted() -> list[Planted]:
    path = WORK / "planted.json"
    if not path.exists():
        return []
    return [Planted(**p) for p in json.loads(path.read_text())["outcomes"]]


HEADER = [
    "| module | mutants | killed | timeout | survived: equivalent (or import-time) / "
    "harmless / unexplained | no tests | kill rate (non-equivalent) | target | s per mutant "
    "| run (UTC), command |",
    "|---|---:|---:|---:|---|---:|---:|---|---:|---|",
]
PLANTED_HEADER = [
    "| planted mutant (module-level code) | result | tests said |",
    "|---|---|---|",
]
RESULTS = ROOT / "tests" / "mutation" / "results.json"  # the last row of each module


def module_row(o: Outcome, survivors: dict, stamp: str) -> tuple[str, bool, list[str]]:
    """One module's row of the results table, whether it meets the target, and its
    unexplained survivors."""
    if o.error:
        return f"| {o.name} | error: {o.error} | | | | | | no | | {stamp} |", False, []
    total = len(o.statuses)
    killed, timeout = o.count("killed"), o.count("timeout")
    untested = o.count("not checked")
    tested = total - untested
    per = f"{o.seconds / tested:.1f}" if tested else ""
    if untested:  # stopped before the end: what was seen, not judged
        survived = tested - killed - timeout
        so_far = (killed + timeout) / tested if tested else 0.0
        return (
            f"| {o.name} (`{o.file}`) | {total} | {killed} | {timeout} | "
            f"partial run: {tested} of {total} tested, {survived} survived so far "
            f"(raw kill rate so far {so_far:.1%}) | | | not judged | {per} | {stamp} |",
            False,
            [],
        )
    left = [m for m, st in o.statuses.items() if st not in ("killed", "timeout")]
    # Equivalent, or run only at import time (before mutmut switches a mutant on):
    # neither can fail a test; the import-time ones are covered by planted mutants.
    unscored = ("equivalent", "import-time")
    equivalent = [m for m in left if survivors.get(m, {}).get("kind") in unscored]
    harmless = [m for m in left if survivors.get(m, {}).get("kind") == "harmless"]
    others = [m for m in left if m not in equivalent and m not in harmless]
    no_tests = sum(1 for m in left if o.statuses[m] == "no tests")
    scored = total - len(equivalent)
    rate = (killed + timeout) / scored if scored else 1.0
    met = rate >= TARGET and not others
    return (
        f"| {o.name} (`{o.file}`, {o.seconds / 60:.0f} min) | {total} | {killed} | {timeout} | "
        f"{len(equivalent)} / {len(harmless)} / {len(others)} | {no_tests} | "
        f"{rate:.1%} | {'met' if met else 'NOT met'} | {per} | {stamp} |",
        met,
        others,
    )


def summarize(
    outcomes: list[Outcome], planted: list[Planted], command: str
) -> tuple[str, bool, list[tuple[str, str]], dict[str, dict]]:
    """This run's tables, whether all it ran is good, its unexplained survivors, and the
    rows to keep in results.json."""
    survivors = tomllib.loads(SURVIVORS.read_text()) if SURVIVORS.exists() else {}
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M")
    ok, rows, kept = True, list(HEADER), {}
    unexplained: list[tuple[str, str]] = []
    for o in outcomes:
        row, met, others = module_row(o, survivors, f"{o.when or when}, `{o.command or command}`")
        ok &= met
        rows.append(row)
        unexplained += [(o.name, m) for m in others]
        kept[o.name] = {"row": row, "met": met, "unexplained": others}
    if planted:
        rows += ["", *PLANTED_HEADER]
        for p in planted:
            ok &= p.killed
            row = f"| {p.name} | {'killed' if p.killed else 'SURVIVED'} | {p.detail} |"
            rows.append(row)
            kept[f"planted: {p.name}"] = {"row": row, "met": p.killed, "unexplained": []}
    text = "\n".join([f"Run of {when} UTC: `{command}`", "", *rows, ""])
    if unexplained:
        text += "\nSurvivors not yet in tests/mutation/survivors.toml:\n\n"
        for name, mutant in unexplained:
            text += f"- {name}: `{mutant}`\n"
    return text, ok, unexplained, kept


def record(kept: dict[str, dict]) -> None:
    """Keep this run's rows in results.json, and rewrite the results section of
    tests/MUTATION.md from it: every module's last run, each with its date and command."""
    saved = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    saved.update(kept)
    planted_names = tomllib.loads(PLANTED.read_text())
    saved = {
        k: v
        for k, v in saved.items()
        if k in MODULES or k.removeprefix("planted: ") in planted_names
    }
    RESULTS.write_text(json.dumps(saved, indent=1, ensure_ascii=False) + "\n")
    rows = list(HEADER)
    missing = []
    for name in MODULES:
        if name in saved:
            rows.append(saved[name]["row"])
        else:
            missing.append(name)
    rows += ["", *PLANTED_HEADER]
    rows += [saved[f"planted: {n}"]["row"] for n in planted_names if f"planted: {n}" in saved]
    lines = ["Each module's last run (`make mutation MODULES=name` reruns one).", "", *rows, ""]
    if missing:
        lines.append(f"Not run yet (nothing counted for them): {', '.join(missing)}.")
    open_ = [(n, m) for n, v in saved.items() for m in v["unexplained"]]
    if open_:
        lines += ["", "Survivors not yet in tests/mutation/survivors.toml:", ""]
        lines += [f"- {n}: `{m}`" for n, m in open_]
    if not REPORT.exists():
        return
    body = REPORT.read_text()
    start, end = "<!-- results: written by scripts/mutation.py -->", "<!-- end of results -->"
    if start in body and end in body:
        head, rest = body.split(start, 1)
        _, tail = rest.split(end, 1)
        REPORT.write_text(f"{head}{start}\n" + "\n".join(lines) + f"\n{end}{tail}")


def main() -> int:
    _load_modules()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("modules", nargs="*", help=f"some of: {', '.join(MODULES)}")
    parser.add_argument("--planted", action="store_true", help="only the planted mutants")
    parser.add_argument("--no-planted", action="store_true", help="skip the planted mutants")
    parser.add_argument("--children", type=int, default=2, help="mutants tested at once")
    parser.add_argument(
        "--recheck",
        action="store_true",
        help="run the given module's survivors of its last run again, against the current tests",
    )
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        help="with --recheck: only the survivors whose name contains this (repeatable)",
    )
    parser.add_argument(
        "--report",
        action="store_true",
        help="mutate nothing: summarize every module's and the planted mutants' last runs",
    )
    args = parser.parse_args()
    unknown = [m for m in args.modules if m not in MODULES]
    if unknown:
        parser.error(f"unknown module(s) {unknown}; known: {', '.join(MODULES)}")
    if not MUTMUT.exists():
        parser.error(f"{MUTMUT} is missing: run `make mutation` (it installs mutmut)")
    modules = [] if args.planted or args.report or args.recheck else (args.modules or list(MODULES))
    outcomes = []
    if args.recheck:
        for name in args.modules:
            last = saved_outcome(name)
            again = [m for m, st in (last.statuses if last else {}).items() if st == "survived"]
            if args.only:
                again = [m for m in again if any(part in m for part in args.only)]
            print(f"rechecking {len(again)} survivors of {name}...", flush=True)
            outcomes.append(recheck(name, again, args.children))
    if args.report:
        outcomes = [o for o in map(saved_outcome, args.modules or MODULES) if o is not None]
        missing = [m for m in (args.modules or MODULES) if saved_outcome(m) is None]
        if missing:
            print(f"not run yet: {', '.join(missing)}")
    for name in modules:
        print(f"mutating {name} ({MODULES[name][0]})...", flush=True)
        outcome = run_module(name, args.children)
        outcomes.append(outcome)
        print(
            f"  {len(outcome.statuses)} mutants, {outcome.count('killed', 'timeout')} killed, "
            f"{outcome.seconds:.0f} s {outcome.error}",
            flush=True,
        )
    planted = []
    if (args.report or args.recheck) and not args.planted:
        planted = saved_planted()  # the last run of the planted mutants (--planted reruns)
    elif not args.no_planted:
        files = {MODULES[m][0] for m in args.modules} if args.modules else None
        print("planted mutants...", flush=True)
        planted = run_planted(files)
    command = "make mutation" + (f" MODULES='{' '.join(args.modules)}'" if args.modules else "")
    if args.recheck:
        command = f"scripts/mutation.py --recheck {' '.join(args.modules)}"
    text, ok, unexplained, kept = summarize(outcomes, planted, command)
    print(text)
    (WORK / "report.md").write_text(text)
    record(kept)  # what this run (or --report, re-judged) measured replaces those rows only
    for name, mutant in unexplained[:40]:
        print(show(name, mutant))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
