"""nbgrader preprocessors that keep autograding honest when a submission is hostile.

nbgrader's own autograder already restores every graded test cell from the
instructor's version, runs each cell with a timeout and caps the number of
output lines. Three things are left to a course, and this module adds them
(`nbgrader_config.py` beside it plugs them in):

``RobustExecute``
    A cell that times out or kills its kernel (an infinite loop that ignores
    an interrupt, ``os.kill(os.getpid(), 9)``, a segfault) makes nbgrader
    give up on the whole notebook: the student gets nothing, not even the
    points of the exercises before it. Here the kernel is restarted instead,
    the cells before are replayed (outputs discarded) to rebuild the state,
    the offending cell gets an error output, and grading goes on with the next
    cell. After ``max_restarts`` restarts the remaining cells are marked not
    run. A timeout never interrupts (a loop can swallow ``KeyboardInterrupt``);
    it restarts.

``GuardCheckers``
    A graded test cell calls a checker from ``dlkit.checks``. A submission
    could redefine that name, or monkeypatch ``dlkit.checks.<chapter>.check_x``
    (or the dlkit function the checker compares with, or the NumPy function it
    compares with: ``np.isclose = lambda *a, **k: True``) to accept anything. A
    cell inserted *before* the student's code snapshots the namespaces of every
    dlkit, NumPy and builtins module, under a name drawn at random for this
    grading run; every graded test cell first restores them, so the test's own
    ``from dlkit.checks... import check_x`` gets the real checker, comparing
    with the real NumPy. (Hiding the failure instead, with IPython's
    ``set_custom_exc``, does not work: nbgrader takes the error from the
    kernel's reply, not only from the cell's outputs. This is an in-kernel
    defence against the obvious attacks; code that rewrites Python itself, or
    the files on disk, needs an operating-system sandbox.)

``LimitOutputSize``
    nbgrader's ``LimitOutput`` counts lines; 10 MB printed on one line stays
    10 MB in the graded notebook and its feedback. This caps characters too.
"""

from __future__ import annotations

import copy
import secrets

from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbclient.util import run_sync
from nbformat.v4 import new_code_cell, new_output
from nbgrader.preprocessors import Execute, LimitOutput, NbGraderPreprocessor
from traitlets import Bool, Integer


def _grader_error(ename: str, evalue: str):
    return new_output("error", ename=ename, evalue=evalue,
                      traceback=[f"\x1b[0;31m{ename}\x1b[0m: {evalue}"])


class RobustExecute(Execute):
    """nbgrader's Execute, surviving timeouts and dead kernels cell by cell."""

    interrupt_on_timeout = Bool(
        False, help="Never interrupt on a timeout: restart the kernel (see the module docstring)."
    ).tag(config=True)
    max_restarts = Integer(
        5, help="Kernel restarts allowed per notebook before the remaining cells are skipped."
    ).tag(config=True)

    def preprocess(self, nb, resources=None, km=None):
        self._restarts = 0
        self._failed: set[int] = set()
        return super().preprocess(nb, resources, km)

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code":
            return super().preprocess_cell(cell, resources, index)
        if self._restarts > self.max_restarts:
            cell.outputs = [_grader_error(
                "GraderSkipped", f"not run: the kernel was restarted {self.max_restarts} times")]
            return cell, self.resources
        try:
            return super().preprocess_cell(cell, resources, index)
        except CellTimeoutError:
            reason = (f"this cell ran longer than the {self.timeout} s limit; the grader "
                      "restarted the kernel and went on with the next cell")
            cell.outputs.append(_grader_error("CellTimeoutError", reason))
        except DeadKernelError:
            reason = ("this cell stopped the kernel; the grader restarted it and went on "
                      "with the next cell")
            cell.outputs.append(_grader_error("DeadKernelError", reason))
        self.log.warning("cell %d: %s", index, reason)
        self._failed.add(index)
        self._restart_and_replay(index)
        return cell, self.resources

    def _restart_and_replay(self, index: int) -> None:
        """A fresh kernel with the state of every cell before ``index`` that ran fine."""
        self._restarts += 1
        if self._restarts > self.max_restarts:
            return
        run_sync(self.km.restart_kernel)(now=True)
        if self.kc is not None:
            self.kc.stop_channels()
        self.start_new_kernel_client()
        for j, earlier in enumerate(self.nb.cells[:index]):
            if earlier.cell_type != "code" or j in self._failed:
                continue
            try:
                self.execute_cell(copy.deepcopy(earlier), j, store_history=False)
            except (CellTimeoutError, DeadKernelError):
                # ran before, fails now (it depends on time or chance): give up cleanly
                self._failed.add(j)
                self._restarts = self.max_restarts + 1
                return


GUARD_SNAPSHOT = """\
# Inserted by the grader before any submitted code: a snapshot of dlkit's, NumPy's and
# the builtins' modules.
import importlib as _il, pkgutil as _pk, sys as _sys
import dlkit as _dl, dlkit.checks as _dc, numpy.testing as _nt
for _m in _pk.iter_modules(_dc.__path__):
    _il.import_module("dlkit.checks." + _m.name)
{name} = [(_n, _mod, dict(vars(_mod))) for _n, _mod in list(_sys.modules.items())
          if _n.partition(".")[0] in ("dlkit", "numpy", "builtins")]
del _il, _pk, _dl, _dc, _nt, _m
"""

GUARD_RESTORE = """\
# Inserted by the grader: the checkers, dlkit, NumPy and the builtins as they were before
# any submitted code ran.
for _n, _mod, _vars in {name}:
    __import__("sys").modules[_n] = _mod
    vars(_mod).update(_vars)
del _n, _mod, _vars
"""


class GuardCheckers(NbGraderPreprocessor):
    """Snapshot dlkit before the submission runs; restore it before every graded test."""

    # (--GuardCheckers.enabled=False switches it off: nbgrader's own `enabled` trait)

    def preprocess(self, nb, resources):
        name = "_grader_" + secrets.token_hex(8)
        for cell in nb.cells:
            meta = cell.metadata.get("nbgrader", {})
            if cell.cell_type == "code" and meta.get("grade") and not meta.get("solution"):
                cell.source = GUARD_RESTORE.format(name=name) + cell.source
        guard = new_code_cell(GUARD_SNAPSHOT.format(name=name))
        guard.metadata["deletable"] = False
        guard.metadata["editable"] = False
        nb.cells.insert(0, guard)
        return nb, resources


class LimitOutputSize(LimitOutput):
    """nbgrader's LimitOutput (lines), plus at most ``max_chars`` characters per output."""

    max_chars = Integer(100_000, help="maximum characters of one output (-1: no limit)"
                        ).tag(config=True)

    def _cap(self, text: str) -> str:
        if self.max_chars < 0 or len(text) <= self.max_chars:
            return text
        return (text[: self.max_chars]
                + f"\n... output truncated by the grader ({len(text):,} characters) ...\n")

    def preprocess_cell(self, cell, resources, cell_index):
        cell, resources = super().preprocess_cell(cell, resources, cell_index)
        if cell.cell_type != "code":
            return cell, resources
        for output in cell.outputs:
            if output.output_type == "stream":
                output.text = self._cap(output.text)
            elif output.output_type in ("execute_result", "display_data"):
                data = output.get("data", {})
                if "text/plain" in data:
                    data["text/plain"] = self._cap(data["text/plain"])
            elif output.output_type == "error":
                tb = "\n".join(output.traceback)
                if len(tb) > self.max_chars:
                    output.traceback = [self._cap(tb)]
        return cell, resources
