"""What the CLI says when a command fails: one line whose advice matches the cause.

:func:`explain` maps an exception to ``(message, exit status)`` by its type, never by
guessing from its text:

- a :class:`~genesis.errors.GenesisError` already says what was wrong and how to fix it:
  its message is shown as it is (status 1);
- a ``MemoryError`` is about memory, so the advice is fewer rows or chunks (status 1);
- an ``ImportError`` of an optional library names the extra to install (status 1);
- an ``OSError`` names the file and its cause; only a full disk mentions free space
  (status 1);
- anything else is a bug in Genesis: one line that says so, and the traceback only with
  ``GENESIS_DEBUG=1`` (status 3).
"""

from __future__ import annotations

import errno

#: exit status of an expected failure (bad input, missing file, failed check)
FAILED = 1
#: exit status of an unexpected error: a bug to report
BUG = 3
#: exit status after Ctrl+C, as shells report SIGINT
INTERRUPTED = 130

DEBUG_VARIABLE = "GENESIS_DEBUG"

_DISK_FULL = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}


def one_line(exc: BaseException) -> str:
    """The exception's message on one line (its type name when it has no message)."""
    text = " ".join(str(exc).split())
    return text or type(exc).__name__


def explain(exc: BaseException) -> tuple[str, int]:
    """The one-line message and exit status for an exception a command raised."""
    from genesis.errors import GenesisError, missing_dependency

    if isinstance(exc, GenesisError):
        return one_line(exc), FAILED
    if isinstance(exc, KeyboardInterrupt):
        return "interrupted", INTERRUPTED
    if isinstance(exc, MemoryError):
        detail = f" ({one_line(exc)})" if str(exc).strip() else ""
        return (
            f"ran out of memory{detail}; ask for fewer rows with -n (and run the command "
            "several times with different --seed values), or generate in chunks from Python",
            FAILED,
        )
    if isinstance(exc, ImportError):
        package = (exc.name or "").split(".")[0]
        if package:
            return one_line(missing_dependency(package, "this command")), FAILED
    if isinstance(exc, OSError):
        return _os_error(exc), FAILED
    return (
        f"unexpected {type(exc).__name__}: {one_line(exc)}; this is a bug in Genesis: rerun "
        f"with {DEBUG_VARIABLE}=1 to see the traceback, and report it",
        BUG,
    )


def _os_error(exc: OSError) -> str:
    where = f" ({exc.filename})" if exc.filename else ""
    reason = exc.strerror or one_line(exc)
    if exc.errno in _DISK_FULL:
        return f"the disk is full{where}: {reason}; free some space or write somewhere else"
    if isinstance(exc, PermissionError):
        return f"permission denied{where}: {reason}; check the file's and folder's permissions"
    if isinstance(exc, FileNotFoundError):
        return f"no such file or folder{where}; check the path"
    if isinstance(exc, IsADirectoryError):
        return f"{where.strip(' ()') or 'the path'} is a folder; pass a file's path"
    return f"cannot read or write{where}: {reason}; check the path"
