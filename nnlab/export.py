"""`nnlab export gradescope`: a Gradescope autograder zip that grades with nnlab.

Layout, as Gradescope documents it (https://gradescope-autograders.readthedocs.io/en/latest/specs/):
the zip holds ``setup.sh`` and ``run_autograder`` at its root; Gradescope unpacks it into
``/autograder/source``, runs ``setup.sh`` once when it builds the image, and for every
submission runs ``run_autograder`` with the student's files in ``/autograder/submission``,
then reads ``/autograder/results/results.json``.

- ``setup.sh`` installs nnlab from the wheel bundled in the zip (built from this checkout,
  or given with ``--wheel``), or with ``--from-index`` as ``nnlab-course==<version>`` (the
  distribution's name, :data:`nnlab.DISTRIBUTION`) from the package index; nnlab's dependencies (NumPy, TensorFlow, ...) come from the package index.
- ``run_autograder`` copies the student's exercise files (also from one folder down, for a
  zipped folder) into a scratch folder and runs ``nnlab grade --all --format gradescope``
  (or the exercises named at export) with any bundled private checks. If nnlab itself
  fails before writing results, it writes a zero-score results.json that says so.
  ``NNLAB_AUTOGRADER_ROOT`` (default ``/autograder``) and ``NNLAB_COMMAND`` (default
  ``nnlab``) override the paths so the script can be tried locally.
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from nnlab.resources import source_checkout
from nnlab.version import DISTRIBUTION, WHEEL_PREFIX, __version__

SETUP = """#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image.
# {what}
# nnlab goes into its own virtual environment (Ubuntu 24.04 refuses pip installs into the
# system Python), linked as /usr/local/bin/nnlab for run_autograder. The NNLAB_* variables
# only serve to try this script elsewhere.
set -euo pipefail
cd "$(dirname "$0")"
PYTHON="${{NNLAB_PYTHON:-python3}}"
VENV="${{NNLAB_VENV:-/opt/nnlab}}"
BIN="${{NNLAB_BIN:-/usr/local/bin}}"
if ! "$PYTHON" -c "import venv, ensurepip" >/dev/null 2>&1; then
    apt-get update
    apt-get install -y python3 python3-venv python3-pip
fi
"$PYTHON" -m venv ${{NNLAB_VENV_OPTIONS:-}} "$VENV"
"$VENV/bin/python" -m pip install ${{NNLAB_PIP_OPTIONS:-}} --upgrade pip
"$VENV/bin/python" -m pip install ${{NNLAB_PIP_OPTIONS:-}} {requirement}
mkdir -p "$BIN"
ln -sf "$VENV/bin/nnlab" "$BIN/nnlab"
"$BIN/nnlab" --version
"""

RUN_AUTOGRADER = """#!/usr/bin/env bash
# Gradescope runs this for every submission; it must leave results/results.json behind.
set -uo pipefail
ROOT="${{NNLAB_AUTOGRADER_ROOT:-/autograder}}"
NNLAB="${{NNLAB_COMMAND:-nnlab}}"
RESULTS="$ROOT/results/results.json"
mkdir -p "$ROOT/results"
WORK="$(mktemp -d)"
# the student's exercise files: one folder down first (a zipped folder), then the top level wins
find "$ROOT/submission" -mindepth 2 -maxdepth 2 -type f \\( -name '*.py' -o -name '*.ipynb' \\) \\
    -exec cp {{}} "$WORK/" \\; 2>/dev/null
find "$ROOT/submission" -mindepth 1 -maxdepth 1 -type f \\( -name '*.py' -o -name '*.ipynb' \\) \\
    -exec cp {{}} "$WORK/" \\; 2>/dev/null
CHECKS=()
if [ -d "$ROOT/source/checks" ]; then CHECKS=(--checks "$ROOT/source/checks"); fi
rm -f "$RESULTS"
$NNLAB grade {selection} --dir "$WORK" --no-progress --format gradescope{options} --out "$RESULTS" ${{CHECKS[@]+"${{CHECKS[@]}}"}}
status=$?
echo "nnlab grade exited with status $status (0 all passed, 1 points lost, 2 a usage error, 3 the grading is unsound)"
if [ ! -s "$RESULTS" ]; then
    cat > "$RESULTS" <<'JSON'
{{"score": 0.0, "output": "The autograder could not grade this submission (nnlab stopped before writing results); please tell your instructor.", "visibility": "visible", "stdout_visibility": "hidden", "tests": []}}
JSON
fi
rm -rf "$WORK"
exit 0
"""


class ExportError(Exception):
    pass


@dataclass
class Bundle:
    path: Path
    installs: str  # a few words: where setup.sh takes nnlab from


def build_wheel(destination: Path) -> Path:
    """Build nnlab's wheel from this checkout (needs hatchling, from the dev extras)."""
    root = source_checkout()
    if root is None:
        raise ExportError(
            "this is an installed nnlab with no source checkout to build a wheel from;"
            " pass --wheel FILE or --from-index"
        )
    built = subprocess.run(
        [sys.executable, "-m", "hatchling", "build", "-t", "wheel", "-d", str(destination)],
        cwd=root,
        capture_output=True,
        text=True,
    )
    wheels = sorted(destination.glob(f"{WHEEL_PREFIX}-*.whl"))
    if built.returncode != 0 or not wheels:
        reason = (built.stderr or built.stdout).strip().splitlines()
        raise ExportError(
            "could not build the nnlab wheel with hatchling"
            f" ({reason[-1] if reason else 'no output'}); pass --wheel FILE or --from-index"
        )
    return wheels[-1]


def gradescope_bundle(
    out: Path,
    *,
    exercises: Sequence[str] = (),
    wheel: Path | None = None,
    from_index: bool = False,
    extra_check_dirs: Sequence[Path] = (),
    hide_details: bool = False,
    no_hints: bool = False,
) -> Bundle:
    """Write the autograder zip to ``out``; ``hide_details`` keeps the checks' messages and
    hints out of what students see (``nnlab grade --hide-details``), ``no_hints`` the hints
    (level 1 of each check's; students see none of them, `nnlab hint` being theirs)."""
    selection = " ".join(shlex.quote(slug) for slug in exercises) if exercises else "--all"
    with tempfile.TemporaryDirectory(prefix="nnlab-export-") as scratch:
        if from_index:
            wheel_file = None
            setup = SETUP.format(
                what=f"It installs {DISTRIBUTION} {__version__} (the nnlab course) and its "
                "dependencies from the package index.",
                requirement=f'"{DISTRIBUTION}=={__version__}"',
            )
            installs = f"setup.sh installs {DISTRIBUTION}=={__version__} from the package index"
        else:
            wheel_file = Path(wheel) if wheel else build_wheel(Path(scratch))
            if not wheel_file.name.endswith(".whl"):
                raise ExportError(f"{wheel_file} is not a wheel (.whl)")
            setup = SETUP.format(
                what=f"It installs nnlab from the bundled {wheel_file.name}; its dependencies"
                "\n# (NumPy, pytest, TensorFlow, ...) come from the package index.",
                requirement=f"./{wheel_file.name}",
            )
            installs = f"setup.sh installs the bundled {wheel_file.name}"
        checks: list[Path] = []
        for directory in extra_check_dirs:
            checks += sorted(Path(directory).glob("test_*.py"))
        out = Path(out)
        out.parent.mkdir(parents=True, exist_ok=True)
        partial = out.with_name(f".{out.name}.tmp")
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
            _add(bundle, "setup.sh", setup, executable=True)
            _add(
                bundle,
                "run_autograder",
                RUN_AUTOGRADER.format(
                    selection=selection,
                    options=(" --hide-details" if hide_details else "")
                    + (" --no-hints" if no_hints else ""),
                ),
                executable=True,
            )
            if wheel_file is not None:
                bundle.write(wheel_file, wheel_file.name)
            for path in checks:
                bundle.write(path, f"checks/{path.name}")
        shutil.move(partial, out)
    return Bundle(out, installs)


def _add(bundle: zipfile.ZipFile, name: str, text: str, *, executable: bool = False) -> None:
    info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = (0o100755 if executable else 0o100644) << 16
    bundle.writestr(info, text)
