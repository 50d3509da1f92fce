"""Children that tests stop with Ctrl-C must not inherit an ignored SIGINT.

A shell without job control starts background commands with SIGINT ignored, and an ignored
signal stays ignored across fork and exec: a suite launched that way (``make test &`` in a
script) would spawn servers that Ctrl-C cannot stop. Pass :func:`interruptible` as
``preexec_fn`` so a child stops on SIGINT however pytest itself was started.
"""

from __future__ import annotations

import signal


def interruptible() -> None:
    """Restore SIGINT's default action in a child process, before it runs its program."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
