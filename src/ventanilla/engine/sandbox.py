"""Scripts and expressions in diagrams run here, never with plain eval/exec.

SpiffWorkflow evaluates conditions and runs script tasks with Python's ``eval``/``exec``,
which a diagram could use to escape (``().__class__.__subclasses__()``, imports, files).
Everything is compiled with RestrictedPython instead (no imports, no dunder attributes, guarded
attribute, item and iteration access), with a small set of builtins and a ``range`` capped in
size, and runs under a wall-clock limit enforced by a trace function, so an endless loop stops
with ``ScriptTimeout`` instead of holding a worker.
"""

from __future__ import annotations

import ast
import builtins
import sys
import time
from functools import lru_cache

from RestrictedPython import (
    compile_restricted_eval,
    compile_restricted_exec,
    limited_builtins,
    safe_builtins,
)
from RestrictedPython.Eval import default_guarded_getitem, default_guarded_getiter
from RestrictedPython.Guards import full_write_guard, guarded_iter_unpack_sequence, safer_getattr

TIME_LIMIT_SECONDS = 0.5

_BUILTINS = {
    **safe_builtins,
    "range": limited_builtins["range"],  # at most 1,000 items
    **{
        name: getattr(builtins, name)
        for name in ("all", "any", "dict", "enumerate", "list", "max", "min", "sum", "sorted")
    },
}
SAFE_GLOBALS = {
    "__builtins__": _BUILTINS,
    "_getattr_": safer_getattr,
    "_getitem_": default_guarded_getitem,
    "_getiter_": default_guarded_getiter,
    "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
    "_write_": full_write_guard,
}


class ScriptRejected(Exception):
    """The script uses something the sandbox forbids (imports, dunder names…)."""


class ScriptTimeout(Exception):
    """The script ran longer than the limit (an endless loop, say)."""


@lru_cache(maxsize=512)
def _compiled(source: str, mode: str):
    tree = ast.parse(source, mode=mode)
    if any(isinstance(node, ast.Import | ast.ImportFrom) for node in ast.walk(tree)):
        raise ScriptRejected("no se permite importar módulos (import)")
    result = (compile_restricted_eval if mode == "eval" else compile_restricted_exec)(source)
    if result.errors:
        raise ScriptRejected("; ".join(result.errors))
    return result.code


def check(source: str, mode: str = "exec") -> list[str]:
    """The reasons the sandbox would refuse this script (empty when it is fine)."""
    try:
        _compiled(source, mode)
    except ScriptRejected as rejected:
        return [str(rejected)]
    except SyntaxError as error:
        return [f"line {error.lineno}: {error.msg}"]
    return []


class _Deadline:
    def __init__(self, seconds: float):
        self.deadline = time.monotonic() + seconds

    def __call__(self, frame, event, arg):
        if time.monotonic() > self.deadline:
            raise ScriptTimeout(f"the script ran for more than {TIME_LIMIT_SECONDS} s")
        return self


def _run(code, namespace: dict, mode: str, seconds: float):
    previous = sys.gettrace()
    sys.settrace(_Deadline(seconds))
    try:
        if mode == "eval":
            return eval(code, namespace)  # noqa: S307 - compiled by RestrictedPython
        exec(code, namespace)  # noqa: S102 - compiled by RestrictedPython
        return None
    finally:
        sys.settrace(previous)


def evaluate(expression: str, data: dict, seconds: float = TIME_LIMIT_SECONDS):
    return _run(_compiled(expression, "eval"), {**SAFE_GLOBALS, **data}, "eval", seconds)


def execute(script: str, data: dict, seconds: float = TIME_LIMIT_SECONDS) -> dict:
    """Run a script task over a copy of the case data; return the data it leaves."""
    namespace = {**SAFE_GLOBALS, **data}
    _run(_compiled(script, "exec"), namespace, "exec", seconds)
    return {
        key: value
        for key, value in namespace.items()
        if key not in SAFE_GLOBALS and not key.startswith("_") and not callable(value)
    }
