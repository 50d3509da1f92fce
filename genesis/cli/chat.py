"""``genesis chat``: ask for synthetic rows in plain language, in an interactive session.

The table is read and a model fitted once; then each line is either a command (``help``,
``show``, ``save FILE``, ``new``, ``quit``/``exit``; Ctrl-D leaves too) or a request such as
"200 people over 50 who are married". A request is read by the rule parser with
clarification (:func:`genesis.nl.clarify`, with the fitted model, so a request it cannot
satisfy is a question too); an unclear request gets its questions inline and the next line
answers them. A clear one is generated with the model's conditional sampler and shown as the
interpretation, a preview of the synthetic rows, and a quality line: the column-shapes score
(:mod:`genesis.quality.statistical`) of the rows against the real rows meeting the same
conditions. No real row is ever printed.

Input goes through prompt_toolkit (line editing, history kept in ``~/.genesis/chat_history``
or ``--history``) on a terminal, and through plain ``input()`` when stdin is not one.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from genesis.cli.common import (
    OUTPUT_SUFFIXES,
    EncodingOption,
    Method,
    SepOption,
    TableReader,
    handles_errors,
    progress,
)

#: rows generated when a request gives no count and clarification did not ask for one
DEFAULT_ROWS = 100
#: where the history of a session is kept when --history is not given
DEFAULT_HISTORY = Path("~/.genesis/chat_history")

HELP_TEXT = """\
Ask for rows in plain language, e.g. "200 people over 50 who are married".
Unclear requests get a question; answer it on the next line.
Commands:
  show        the last interpretation and how many rows it produced
  save FILE   write the last rows to FILE (.csv or .parquet; .jsonl too)
  new         drop a pending question and start a fresh request
  help        this text
  quit, exit  leave the session (Ctrl-D too)"""


class ChatSession:
    """The state of one chat: the fitted model, the pending clarification and the last rows.

    Args:
        model: a fitted :class:`~genesis.generators.SyntheticGenerator`.
        real: the real table it was fitted on (only used for the quality line).
        seed: seed of the first request; request ``i`` uses ``seed + i``.
        console: the Rich console to write to.
        preview: rows shown after each request.
        max_rows: the largest request accepted.
    """

    def __init__(
        self, model, real, seed: int, console, preview: int = 5, max_rows: int = 1_000_000
    ) -> None:
        from genesis.nl import ClarificationSessions

        self.model = model
        self.real = real
        self.schema = model.schema_
        self.seed = seed
        self.console = console
        self.preview = preview
        self.max_rows = max_rows
        self.sessions = ClarificationSessions(max_sessions=8)
        self.session_id: str | None = None
        self.turns = 0
        self.last_interpretation = None
        self.last_rows = None

    def handle(self, line: str) -> bool:
        """Act on one input line; False when the session should end."""
        text = line.strip()
        command, _, argument = text.partition(" ")
        command = command.lower()
        if not text:
            return True
        if command in ("quit", "exit") and not argument:
            return False
        if command == "help" and not argument:
            self.console.print(HELP_TEXT, markup=False, highlight=False)
        elif command == "show" and not argument:
            self.show()
        elif command == "save":
            self.save(argument.strip())
        elif command == "new" and not argument:
            self.session_id = None
            self.console.print("ok: the next line starts a fresh request", highlight=False)
        else:
            self.ask(text)
        return True

    # -- requests --------------------------------------------------------------------------
    def ask(self, prompt: str) -> None:
        """Interpret ``prompt`` (an answer when a question is pending) and generate."""
        from genesis.errors import GenesisError
        from genesis.nl import clarify

        try:
            clarification = clarify(
                prompt, self.schema, session_id=self.session_id, model=self.model,
                sessions=self.sessions,
            )  # fmt: skip
        except GenesisError as exc:
            self._error(exc)
            return
        interpretation = clarification.interpretation
        self._print_interpretation(interpretation)
        if clarification.needs_clarification:
            self.session_id = clarification.session_id
            for question in clarification.questions:
                options = question.get("options") or []
                shown = f"  (options: {', '.join(map(str, options[:10]))})" if options else ""
                self.console.print(f"? {question['question']}{shown}", markup=False,
                                   highlight=False)  # fmt: skip
            return
        self.session_id = None
        n = interpretation.n_samples
        if n is None:
            n = DEFAULT_ROWS
            self.console.print(f"no count given: generating {n} rows", highlight=False)
        if n > self.max_rows:
            self.console.print(
                f"error: {n:,} rows is more than this session generates at once "
                f"({self.max_rows:,}; --max-rows); ask for fewer", markup=False, highlight=False,
            )  # fmt: skip
            return
        self.generate(interpretation, n)

    def generate(self, interpretation, n: int) -> None:
        """Generate ``n`` rows for ``interpretation`` and print the preview and quality."""
        from genesis.errors import GenesisError

        conditions = interpretation.conditions if len(interpretation.conditions) else None
        seed = self.seed + self.turns
        try:
            with self.console.status(f"generating {n:,} rows"):
                rows = self.model.generate(n, seed=seed, conditions=conditions)
        except GenesisError as exc:
            self._error(exc)
            return
        self.turns += 1
        self.last_interpretation, self.last_rows = interpretation, rows
        self._print_preview(rows)
        self.console.print(self.quality_line(rows, conditions), markup=False, highlight=False)

    def quality_line(self, rows, conditions) -> str:
        """The column-shapes score of ``rows`` against the real rows meeting ``conditions``."""
        real = self.real if conditions is None else conditions.apply(self.real)
        if len(real) == 0:
            return "quality: no real row meets these conditions, so there is nothing to compare"
        score = shapes_score(real, rows, self.schema)
        which = "real rows" if conditions is None else "real rows meeting the conditions"
        return (
            f"quality: column shapes {score:.3f} against the {len(real):,} {which} "
            f"(1 = same distributions)"
        )

    # -- commands --------------------------------------------------------------------------
    def show(self) -> None:
        if self.last_interpretation is None:
            self.console.print("nothing generated yet: ask for some rows first", highlight=False)
        else:
            self._print_interpretation(self.last_interpretation)
            self.console.print(f"rows: {len(self.last_rows):,} generated", highlight=False)
        if self.session_id is not None:
            self.console.print("a question is pending: answer it, or type new", highlight=False)

    def save(self, target: str) -> None:
        from genesis.errors import GenesisError
        from genesis.io import write_table

        if not target:
            self.console.print("usage: save FILE (.csv or .parquet)", highlight=False)
            return
        if self.last_rows is None:
            self.console.print("nothing to save yet: ask for some rows first", highlight=False)
            return
        if not target.lower().endswith(OUTPUT_SUFFIXES):
            self.console.print(f"error: cannot tell the format of {target!r}; end it with .csv "
                               "or .parquet", markup=False, highlight=False)  # fmt: skip
            return
        path = Path(target).expanduser()
        try:
            write_table(self.last_rows, path, schema=self.schema)
        except (GenesisError, OSError) as exc:
            self._error(exc)
            return
        self.console.print(f"saved {len(self.last_rows):,} rows to {path}", markup=False,
                           highlight=False)  # fmt: skip

    # -- printing --------------------------------------------------------------------------
    def _print_interpretation(self, interpretation) -> None:
        parts = [
            f"rows: {interpretation.n_samples if interpretation.n_samples is not None else '?'}",
            f"conditions: {interpretation.conditions}",
        ]
        if interpretation.data_context:
            parts.append(f"context: {interpretation.data_context}")
        parts.append(f"confidence {interpretation.confidence:.2f}")
        self.console.print("interpreted: " + "; ".join(parts), markup=False, highlight=False)
        if interpretation.unresolved:
            unresolved = ", ".join(repr(u) for u in interpretation.unresolved)
            self.console.print(f"not understood: {unresolved}", markup=False, highlight=False)

    def _print_preview(self, rows) -> None:
        from rich.table import Table

        table = Table(title=f"{len(rows):,} synthetic rows (first {min(self.preview, len(rows))})")
        for name in rows.columns:
            table.add_column(str(name), overflow="fold")
        for values in rows.head(self.preview).itertuples(index=False):
            table.add_row(*(_cell(v) for v in values))
        self.console.print(table)

    def _error(self, exc: BaseException) -> None:
        from genesis.cli.messages import explain

        message, _ = explain(exc)
        self.console.print(f"error: {message}", markup=False, highlight=False)


def shapes_score(real, synthetic, schema) -> float:
    """Mean column-shapes score (KS / TV complement, as the quality report computes it)."""
    import numpy as np

    from genesis.quality._prepare import prepare_tables
    from genesis.quality.statistical import column_shapes

    prepared = prepare_tables({"real": real, "synthetic": synthetic}, schema)
    scores = column_shapes(prepared, {c.name: c.kind.value for c in schema})["score"]
    scores = scores.to_numpy(dtype=float)
    return float(np.nanmean(scores)) if np.isfinite(scores).any() else float("nan")


def _cell(value: Any) -> str:
    import pandas as pd

    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return str(value)


def _reader(history: Path):
    """A ``read(prompt) -> line`` function: prompt_toolkit on a terminal, else input()."""
    if sys.stdin.isatty() and sys.stdout.isatty():
        from prompt_toolkit import PromptSession
        from prompt_toolkit.history import FileHistory

        history.parent.mkdir(parents=True, exist_ok=True)
        return PromptSession(history=FileHistory(str(history))).prompt
    return input


@handles_errors
def chat(
    data: Annotated[str, typer.Option("--data", "-d", help="Real table to learn from.")],
    model: Annotated[
        Method, typer.Option("--model", "-m", help="Synthesis method fitted once.")
    ] = Method.cart,
    seed: Annotated[
        int, typer.Option("--seed", "-s", min=0, help="Seed: same session, same rows.")
    ] = 0,
    history: Annotated[
        Path | None,
        typer.Option("--history", help=f"History file (default {DEFAULT_HISTORY})."),
    ] = None,
    preview: Annotated[
        int, typer.Option("--preview", min=0, help="Synthetic rows shown per request.")
    ] = 5,
    max_rows: Annotated[
        int, typer.Option("--max-rows", min=1, help="Largest request generated.")
    ] = 1_000_000,
    encoding: EncodingOption = None,
    sep: SepOption = None,
) -> None:
    """Ask for synthetic rows of DATA in plain language: fit once, then answer each request
    with its interpretation, a preview and a quality score (type help in the session)."""
    from genesis.cli.common import stdout

    read = TableReader(encoding, sep)
    with progress(2) as step:
        step(f"reading {data}")
        df = read(data)
        from genesis.generators import SyntheticGenerator

        step(f"fitting {model.value} on {len(df):,} rows")
        fitted = SyntheticGenerator(model.value, seed=seed).fit(df)
    console = stdout()
    session = ChatSession(fitted, df, seed, console, preview=preview, max_rows=max_rows)
    console.print(
        f"ready: {fitted.method} fitted on {len(df):,} rows and {df.shape[1]} columns in "
        f"{fitted.fit_seconds_:.1f} s; type help for the commands",
        markup=False,
        highlight=False,
    )
    read_line = _reader((history or DEFAULT_HISTORY).expanduser())
    while True:
        try:
            line = read_line("genesis> ")
        except EOFError:
            break
        except KeyboardInterrupt:  # Ctrl-C drops the line being typed, as shells do
            continue
        try:
            if not session.handle(line):
                break
        except KeyboardInterrupt:
            console.print("interrupted", highlight=False)
    console.print("bye", highlight=False)


def register(app: typer.Typer) -> None:
    app.command()(chat)
