"""Secret files made on first use (keys under the data directory)."""

from __future__ import annotations

import os
from pathlib import Path


def write_once(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` with mode 0600 unless it exists: written aside, then linked
    into place, so that of two processes starting at once one file wins whole, and nobody
    reads a half-written one."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    draft = path.with_name(f".{path.name}.{os.getpid()}")
    with os.fdopen(os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as f:
        f.write(data)
    try:
        os.link(draft, path)
    except FileExistsError:
        pass  # another process was first: everyone uses its file
    except OSError:  # a filesystem without hard links
        if not path.exists():
            os.replace(draft, path)
    finally:
        draft.unlink(missing_ok=True)
