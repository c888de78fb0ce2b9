"""The table of `make mutation`: mutants killed per module, from mutmut's results in mutants/.

Exits non-zero when a module kills under 90% of its mutants, or when a survivor is not
listed in tests/MUTATION.md (each survivor needs a test that kills it or a reason).
"""

import json
import re
import sys
from fnmatch import fnmatch
from pathlib import Path
from tomllib import loads

from mutmut.stats import status_by_exit_code

ROOT = Path(__file__).resolve().parents[1]
THRESHOLD = 90.0
# A mutant that made the tests hang was caught all the same.
CAUGHT = {"killed", "timeout"}


def modules() -> list[Path]:
    patterns = loads((ROOT / "pyproject.toml").read_text())["tool"]["mutmut"]["only_mutate"]
    return sorted(
        path.relative_to(ROOT)
        for path in (ROOT / "sambot").rglob("*.py")
        if any(fnmatch(str(path.relative_to(ROOT)), pattern) for pattern in patterns)
    )


def results(module: Path) -> dict[str, str]:
    """Mutant name -> status, for one module; empty when mutmut made no mutant of it."""
    meta = ROOT / "mutants" / f"{module}.meta"
    if not meta.exists():
        return {}
    codes = json.loads(meta.read_text())["exit_code_by_key"]
    return {name: status_by_exit_code[code] for name, code in codes.items()}


def main() -> int:
    documented = (ROOT / "tests" / "MUTATION.md").read_text()
    rows, undocumented, failing = [], [], []
    for module in modules():
        statuses = results(module)
        if not statuses:
            continue
        caught = sum(status in CAUGHT for status in statuses.values())
        score = 100.0 * caught / len(statuses)
        rows.append((str(module), caught, len(statuses), score))
        if score < THRESHOLD:
            failing.append(str(module))
        for name, status in sorted(statuses.items()):
            if status not in CAUGHT and not re.search(rf"{re.escape(name)}\b", documented):
                undocumented.append(f"{name} ({status})")

    width = max(len(row[0]) for row in rows)
    print(f"{'module':<{width}}  killed  total  killed %")
    for module, caught, total, score in rows:
        print(f"{module:<{width}}  {caught:>6}  {total:>5}  {score:>7.1f}%")
    caught, total = sum(r[1] for r in rows), sum(r[2] for r in rows)
    print(f"{'all':<{width}}  {caught:>6}  {total:>5}  {100.0 * caught / total:>7.1f}%")
    if undocumented:
        print("\nSurvivors not explained in tests/MUTATION.md (`.venv/bin/mutmut show NAME`):")
        print("\n".join(f"  {name}" for name in undocumented))
    if failing:
        print(f"\nUnder {THRESHOLD:.0f}% killed: {', '.join(failing)}")
    return 1 if failing or undocumented else 0


if __name__ == "__main__":
    sys.exit(main())
