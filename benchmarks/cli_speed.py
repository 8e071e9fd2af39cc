"""How long users wait for the offline commands: ``render --offline``, ``check``, ``--help``.

Runs each command as a whole process (``python -m storyboard ...``, start-up and teardown
included) on stories of 10, 1,000 and 5,000 items written by ``big_story`` from the
bundled example, and prints the median wall time and CPU time (user + sys of the child)
with the min and max of the runs. The children write their bytecode (a first round,
untimed, writes it), as an installed copy has it, even where ``PYTHONDONTWRITEBYTECODE``
is set. The runs are interleaved: every round runs every case
once, so a busy moment on a shared machine hits all cases alike. ``--help`` runs as
users type it, through the ``storyboard`` console script beside the interpreter;
``python -c "import argparse"`` (the parser it is built on) is printed as its floor.

Each ratio is printed as the ratio of the medians, and with the min and max of the
ratios within one round (the two commands of a ratio ran next to each other): the
spread of those is the machine's noise.

With ``--baseline PYTHON`` (the interpreter of another checkout's virtualenv, e.g. the
main branch before a change) every case also runs there, paired with this checkout's
run in the same round, and both columns are printed side by side; the pages both
render must then be byte for byte the same.

Targets (from this checkout's medians; PASS/FAIL, exit status 1 on a FAIL):
``render --offline`` of 1,000 items at most 1.5x the same on 10, of 5,000 at most 3x;
``check`` of 1,000 items at most 1.3x of 10; ``storyboard --help`` at most 4x
``python -c pass``. CPU time is far less sensitive to the machine's load than wall time,
so both are checked and printed.

Run: ``python benchmarks/cli_speed.py [--baseline ../base/.venv/bin/python] [--rounds 7]``;
``--only help`` runs the start-up cases alone (``python -c pass``, ``import argparse``,
``--help``), without the stories.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from big_story import write_story


@dataclass
class Runs:
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)

    def median(self, kind: str) -> float:
        return statistics.median(getattr(self, kind))

    def shown(self, kind: str) -> str:
        values = getattr(self, kind)
        return f"{self.median(kind):6.3f} ({min(values):.3f}-{max(values):.3f})"


def timed(argv: list[str], cwd: Path) -> tuple[float, float]:
    """Run ``argv``; return its wall time and CPU time (user + sys), in seconds."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(argv, cwd=cwd, capture_output=True, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed:\n{done.stderr.decode(errors='replace')}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def console_script(python: str) -> list[str]:
    """Return ``storyboard`` as users run it: the console script beside ``python``."""
    script = Path(python).parent / "storyboard"
    return [str(script)] if script.exists() else [python, "-m", "storyboard"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--baseline", help="python of another checkout, run in the same rounds")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--sizes", default="10,1000,5000", help="story sizes (items)")
    parser.add_argument(
        "--only", choices=["help"], help="help: only the start-up cases, no stories"
    )
    args = parser.parse_args()
    # Installed, storyboard runs from bytecode written at install time. With
    # PYTHONDONTWRITEBYTECODE set (some shells and containers set it) an editable
    # checkout would compile its modules on every run, a fixed cost that makes every
    # ratio look smaller than users see it: the warm-up round below writes the .pyc files.
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    sizes = [] if args.only == "help" else [int(size) for size in args.sizes.split(",")]
    pythons = {"this": sys.executable}
    if args.baseline:
        pythons = {"baseline": args.baseline, **pythons}

    with tempfile.TemporaryDirectory(prefix="cli-speed-") as temp:
        work = Path(temp)
        stories = {size: write_story(work, size, f"story{size}") for size in sizes}
        # "{python}" is the interpreter, "{script}" the console script, "{out}" a folder of
        # the checkout's own.
        cases: dict[str, list[str]] = {
            "python -c pass": ["{python}", "-c", "pass"],
            'python -c "import argparse"': ["{python}", "-c", "import argparse"],
            "storyboard --help": ["{script}", "--help"],
        }
        for size, story in stories.items():
            cases[f"render --offline, {size} items"] = [
                *("{python}", "-m", "storyboard", "render", "--offline"),
                *(str(story), "-o", str(work / f"out{size}-{{name}}")),
            ]
        for size, story in stories.items():
            if size <= 1000:
                cases[f"check, {size} items"] = [
                    "{python}",
                    "-m",
                    "storyboard",
                    "check",
                    str(story),
                ]

        def command(case: str, name: str) -> list[str]:
            python = pythons[name]
            argv = []
            for part in cases[case]:
                if part == "{script}":
                    argv += console_script(python)
                else:
                    argv.append(part.replace("{python}", python).replace("{name}", name))
            return argv

        results = {(case, name): Runs() for case in cases for name in pythons}
        for case in cases:  # warm the file cache and the .pyc files
            for name in pythons:
                timed(command(case, name), work)
        for round_ in range(args.rounds):
            order = list(pythons)
            if round_ % 2:
                order.reverse()  # neither checkout always goes first
            for case in cases:
                for name in order:
                    wall, cpu = timed(command(case, name), work)
                    results[case, name].wall.append(wall)
                    results[case, name].cpu.append(cpu)
        same_pages = [
            (work / f"out{size}-baseline" / "index.html").read_bytes()
            == (work / f"out{size}-this" / "index.html").read_bytes()
            for size in sizes
            if "baseline" in pythons
        ]

    print(
        f"load average before/after: {LOAD_BEFORE} / {os.getloadavg()[0]:.2f}; "
        f"CPUs usable: {len(os.sched_getaffinity(0))}; rounds: {args.rounds}"
    )
    print("seconds: median (min-max)")
    header = f"{'':34}" + "".join(f"{name + ' wall':>26}{name + ' cpu':>26}" for name in pythons)
    print(header)
    for case in cases:
        cells = "".join(
            f"{results[case, name].shown('wall'):>26}{results[case, name].shown('cpu'):>26}"
            for name in pythons
        )
        print(f"{case:34}{cells}")

    def ratio(name: str, case: str, base: str, kind: str) -> float:
        return results[case, name].median(kind) / results[base, name].median(kind)

    def spread(name: str, case: str, base: str, kind: str) -> str:
        """The min and max of the ratio within one round: the noise of the ratio."""
        values, against = getattr(results[case, name], kind), getattr(results[base, name], kind)
        ratios = [value / base_value for value, base_value in zip(values, against, strict=True)]
        return f"({min(ratios):.2f}-{max(ratios):.2f})"

    checks: list[tuple[str, str, float | None]] = [
        ("storyboard --help", "python -c pass", 4.0),
        ('python -c "import argparse"', "python -c pass", None),
    ]
    small = min(sizes, default=0)
    for size in sizes:
        if size == 1000:
            checks.append(
                (f"render --offline, {size} items", f"render --offline, {small} items", 1.5)
            )
            checks.append((f"check, {size} items", f"check, {small} items", 1.3))
        if size == 5000:
            checks.append(
                (f"render --offline, {size} items", f"render --offline, {small} items", 3.0)
            )
    print("ratios of medians, wall / cpu (min-max of the ratios within a round)")
    failed = False
    for case, base, limit in checks:
        cells = "   ".join(
            f"{name}: {ratio(name, case, base, 'wall'):5.2f}x {spread(name, case, base, 'wall')}"
            f" / {ratio(name, case, base, 'cpu'):5.2f}x {spread(name, case, base, 'cpu')}"
            for name in pythons
        )
        if limit is None:
            print(f"  ----  {case} vs {base} (for reference)   {cells}")
            continue
        ok = (
            ratio("this", case, base, "wall") <= limit and ratio("this", case, base, "cpu") <= limit
        )
        failed = failed or not ok
        print(f"  {'PASS' if ok else 'FAIL'}  {case} vs {base} (target <= {limit}x)   {cells}")
    if same_pages:
        identical = all(same_pages)
        failed = failed or not identical
        print(f"  {'PASS' if identical else 'FAIL'}  rendered pages byte for byte the baseline's")
    return 1 if failed else 0


LOAD_BEFORE = f"{os.getloadavg()[0]:.2f}"

if __name__ == "__main__":
    sys.exit(main())
