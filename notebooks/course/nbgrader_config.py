"""nbgrader configuration of the book's course (copied into the course folder by course.py).

The defaults are nbgrader's, except for autograding, where three preprocessors
from grading_hooks.py (beside this file) make a hostile submission cost only
its own points: RobustExecute (a timeout or a dead kernel loses one cell, not
the notebook), GuardCheckers (the checkers cannot be redefined or
monkeypatched) and LimitOutputSize (10 MB of output is cut to 100 kB).
"""

from nbconvert.preprocessors import ClearMetadataPreprocessor
from nbgrader.preprocessors import (
    AssignLatePenalties,
    CheckCellMetadata,
    ClearOutput,
    DeduplicateIds,
    IgnorePattern,
    OverwriteCells,
    OverwriteKernelspec,
    SaveAutoGrades,
)

c = get_config()  # noqa: F821 (defined by traitlets when it loads this file)

# Student version: nbgrader's own stub, `raise NotImplementedError()`.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}

# Autograding: nbgrader's lists, with the three hooks put in.
c.Autograde.sanitize_preprocessors = [
    ClearOutput, DeduplicateIds, OverwriteKernelspec, OverwriteCells,
    "grading_hooks.GuardCheckers", CheckCellMetadata,
]
c.Autograde.autograde_preprocessors = [
    "grading_hooks.RobustExecute", IgnorePattern, ClearMetadataPreprocessor,
    "grading_hooks.LimitOutputSize", SaveAutoGrades, AssignLatePenalties, CheckCellMetadata,
]
# Seconds one cell may run (course.py --timeout overrides it): the slowest cell of
# the book takes a few seconds; an infinite loop costs this much, then a restart.
c.Execute.timeout = 60
c.RobustExecute.max_restarts = 5
c.LimitOutput.max_lines = 1000
c.LimitOutputSize.max_chars = 100_000
