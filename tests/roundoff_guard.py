"""The round-off guard: would another machine print the notebooks' stored outputs?

nbval compares every checked output digit for digit, and readers run the book on every
kind of processor. Another CPU changes the last bits of results in two places: the BLAS
kernel behind every matrix product, and NumPy's vectorized exp, log, tanh... This guard
runs nbval over the notebooks with those last bits changed on this machine:

* NumPy's SIMD paths above its baseline switched off (``NPY_DISABLE_CPU_FEATURES`` set to
  every feature this CPU dispatches to: AVX-512 and AVX2 code becomes SSE code);
* two BLAS threads instead of the book's one;
* every continuous draw of a seeded Generator moved by one unit in the last place, through
  an IPython start-up file in a throwaway IPYTHONDIR (``tests/roundoff_nudge.py``): the
  initial weights, the data sets' noise, the inputs of every demo.

A checked output that changes under these nudges prints more than its round-off supports
(or a chaotic run, or a single seed on a knife edge), and fails here like any nbval
mismatch. The guard never chooses the BLAS kernel (``OPENBLAS_CORETYPE``): that imitates
another CPU for a measurement, and is no setting for tests.

    python tests/roundoff_guard.py                                   # every notebook
    python tests/roundoff_guard.py notebooks/05_good_practices.ipynb -n 1
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NUDGE = Path(__file__).with_name("roundoff_nudge.py")
SANITIZE = Path(__file__).with_name("nbval_sanitize.cfg")
BLAS_THREADS = "2"
# Runs in the kernel's namespace: leaves no name behind for a notebook cell to find.
STARTUP = """\
def _install_roundoff_nudge():
    import importlib.util
    spec = importlib.util.spec_from_file_location("roundoff_nudge", {path!r})
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.install()
_install_roundoff_nudge()
del _install_roundoff_nudge
"""


def simd_features() -> list[str]:
    """NumPy's dispatched SIMD features this CPU has (none of them in NumPy's baseline)."""
    from numpy._core._multiarray_umath import __cpu_dispatch__, __cpu_features__

    return [name for name in __cpu_dispatch__ if __cpu_features__.get(name)]


def guard_env(ipython_dir: Path) -> dict[str, str]:
    """This process's environment with the guard's three nudges (see the module docstring)."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PYTEST_", "OPENBLAS_CORETYPE"))}
    env.update(NPY_DISABLE_CPU_FEATURES=" ".join(simd_features()),
               OMP_NUM_THREADS=BLAS_THREADS, OPENBLAS_NUM_THREADS=BLAS_THREADS,
               MKL_NUM_THREADS=BLAS_THREADS, IPYTHONDIR=str(ipython_dir))
    return env


def run_guard(paths, *, workers: int = 2, nudge: bool = True,
              cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """nbval over ``paths`` under the guard's nudges (``nudge=False``: plain nbval, for a
    control); returns the finished pytest process (returncode 0: every checked output
    reproduced; its stdout names the cells that moved)."""
    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers!r}")
    with tempfile.TemporaryDirectory(prefix="dlkit-roundoff-") as tmp:
        startup = Path(tmp) / "profile_default" / "startup"
        startup.mkdir(parents=True)
        (startup / "00-roundoff-nudge.py").write_text(STARTUP.format(path=str(NUDGE)))
        command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                   "--rootdir", str(cwd), "-n", str(workers), "--dist", "loadfile",
                   *map(str, paths), "--nbval", "--nbval-sanitize-with", str(SANITIZE),
                   "--nbval-cell-timeout=600"]
        env = guard_env(Path(tmp)) if nudge else os.environ.copy()
        return subprocess.run(command, cwd=cwd, env=env, text=True,
                              capture_output=True, check=False)


def failed_cells(result: subprocess.CompletedProcess) -> list[str]:
    """'notebooks/NN.ipynb::Cell K' for every cell the guard's run failed."""
    return [line.split()[1] + " " + line.split()[2] for line in result.stdout.splitlines()
            if line.startswith("FAILED ")]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", default=["notebooks"])
    parser.add_argument("-n", "--workers", type=int, default=2)
    args = parser.parse_args(argv)
    result = run_guard(args.paths, workers=args.workers)
    print(result.stdout[-20000:], end="")
    print(result.stderr[-5000:], end="", file=sys.stderr)
    cells = failed_cells(result)
    print(f"round-off guard (NumPy SIMD off: {' '.join(simd_features()) or 'none'}; "
          f"{BLAS_THREADS} BLAS threads; seeded draws one ulp off): "
          + (f"{len(cells)} cell(s) moved: {' '.join(cells)}" if cells
             else "every checked output reproduced" if result.returncode == 0
             else f"pytest exited {result.returncode}"))
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
