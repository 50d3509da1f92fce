"""``genesis stream``: a live feed of synthetic rows to a Kafka topic or WebSocket clients.

DATA is a table to learn (fitted like ``genesis generate`` does) or a model file written by
``save`` / ``genesis generate --save-model``. A Rich line on stderr shows rows generated,
rows per second and how many were acknowledged (Kafka) or written to clients (WebSocket);
Ctrl+C stops after the current batch, waits for what was sent, prints the summary and exits
with status 130.
"""

from __future__ import annotations

import threading
from enum import Enum
from typing import Annotated, Any

import typer

from genesis.cli.common import EncodingOption, Method, SepOption, TableReader, handles_errors
from genesis.cli.messages import INTERRUPTED


class Format(str, Enum):
    """Kafka message value formats."""

    json = "json"
    avro = "avro"


WHERE_HELP = (
    "Only rows meeting this condition (repeatable, all must hold): 'age>=50', "
    "'state in CA,NY', 'age between 30 and 40'."
)


@handles_errors
def stream(
    data: Annotated[str, typer.Argument(help="Table to learn, or a saved Genesis model file.")],
    kafka: Annotated[
        str | None,
        typer.Option("--kafka", metavar="HOST:PORT", help="Kafka bootstrap servers to produce to."),
    ] = None,
    topic: Annotated[
        str | None, typer.Option("--topic", help="Kafka topic (with --kafka).")
    ] = None,
    websocket: Annotated[
        int | None,
        typer.Option(
            "--websocket",
            metavar="PORT",
            min=0,
            max=65535,
            help="Serve the rows to WebSocket clients on this port (0: a free one).",
        ),
    ] = None,
    host: Annotated[
        str,
        typer.Option(
            "--host", help="Interface the WebSocket server listens on (0.0.0.0: every one)."
        ),
    ] = "127.0.0.1",
    clients: Annotated[
        int,
        typer.Option(
            "--clients", min=0, help="WebSocket: start streaming once this many clients joined."
        ),
    ] = 1,
    rate: Annotated[
        float | None,
        typer.Option("--rate", "-r", help="Rows per second (default: as fast as taken)."),
    ] = None,
    n: Annotated[
        int | None,
        typer.Option("-n", "--rows", min=1, help="Rows to stream (default: until Ctrl+C)."),
    ] = None,
    batch_size: Annotated[
        int | None,
        typer.Option(
            "--batch-size",
            min=1,
            help="Rows generated and sent together (default: 1,000, or a tenth of a second's "
            "worth with --rate).",
        ),
    ] = None,
    key: Annotated[
        str | None,
        typer.Option(
            "--key",
            help="Kafka: column whose value keys each message (default: "
            "the row's sequence number).",
        ),
    ] = None,
    value_format: Annotated[
        Format, typer.Option("--format", help="Kafka message values: json or avro.")
    ] = Format.json,
    method: Annotated[
        Method | None,
        typer.Option(
            "--method", "-m", help="Synthesis method (DATA a table; default gaussian_copula)."
        ),
    ] = None,
    seed: Annotated[
        int, typer.Option("--seed", "-s", min=0, help="Seed: same seed, same stream.")
    ] = 0,
    where: Annotated[list[str] | None, typer.Option("--where", "-w", help=WHERE_HELP)] = None,
    metadata: Annotated[
        bool,
        typer.Option(
            "--metadata/--no-metadata",
            help="Add _genesis_batch, _genesis_sequence and _genesis_generated_at to rows.",
        ),
    ] = True,
    timeout: Annotated[
        float,
        typer.Option(
            "--timeout",
            min=0.1,
            help="Kafka: seconds to reach the broker and for each row to be acknowledged.",
        ),
    ] = 30.0,
    encoding: EncodingOption = None,
    sep: SepOption = None,
) -> None:
    """Stream synthetic rows learned from DATA to a Kafka topic (--kafka, --topic) or to
    WebSocket clients (--websocket), with a live progress line."""
    _check_options(kafka, topic, websocket, rate, key, value_format, host, clients, timeout)
    if where:
        from genesis.generators.conditional_parse import parse_conditions

        parse_conditions(where)  # a malformed --where fails before the fit
    model = _load_or_fit(data, method, seed, TableReader(encoding, sep))
    conditions = None
    if where:
        from genesis.generators.conditional_parse import parse_conditions

        conditions = parse_conditions(where, model.schema_)
    if key is not None and key not in _columns(model, metadata):
        names = ", ".join(_columns(model, metadata))
        raise typer.BadParameter(
            f"no column {key!r} in {data}; choose one of {names}", param_hint="'--key'"
        )
    batch_size = batch_size or default_batch_size(rate)
    common = {"seed": seed, "conditions": conditions, "include_metadata": metadata}
    if kafka is not None:
        _stream_to_kafka(
            model, kafka, topic, rate, n, batch_size, key, value_format, timeout, common
        )
    else:
        _stream_to_websocket(model, host, websocket, clients, rate, n, batch_size, common)


def _columns(model: Any, metadata: bool) -> list[str]:
    """The columns of the streamed rows."""
    from genesis.streaming import METADATA_COLUMNS

    return list(model.schema_.names) + (list(METADATA_COLUMNS) if metadata else [])


def default_batch_size(rate: float | None) -> int:
    """1,000 rows (per-batch overhead dominates below that), or about ten batches a second
    at ``rate``, so a slow feed flows evenly instead of in one-second bursts."""
    if rate is None:
        return 1_000
    return max(1, min(1_000, int(rate / 10)))


def _check_options(
    kafka: str | None,
    topic: str | None,
    websocket: int | None,
    rate: float | None,
    key: str | None,
    value_format: Format,
    host: str,
    clients: int,
    timeout: float,
) -> None:
    if (kafka is None) == (websocket is None):
        raise typer.BadParameter(
            "give exactly one destination: --kafka HOST:PORT --topic T, or --websocket PORT",
            param_hint="'--kafka' / '--websocket'",
        )
    if rate is not None and not rate > 0:
        raise typer.BadParameter(
            f"must be > 0 rows per second, got {rate:g}", param_hint="'--rate'"
        )
    if kafka is not None:
        if topic is None:
            raise typer.BadParameter("--kafka needs a topic to write to", param_hint="'--topic'")
        for server in kafka.split(","):
            name, _, port = server.strip().rpartition(":")
            if not name or not port.isdigit():
                raise typer.BadParameter(
                    f"{server!r} is not HOST:PORT (e.g. localhost:9092; several: a,b)",
                    param_hint="'--kafka'",
                )
        if host != "127.0.0.1" or clients != 1:
            raise typer.BadParameter(
                "only applies to --websocket", param_hint="'--host' / '--clients'"
            )
    else:
        kafka_only = {
            "--topic": topic is not None,
            "--key": key is not None,
            "--format": value_format is not Format.json,
            "--timeout": timeout != 30.0,
        }
        given = [name for name, set_ in kafka_only.items() if set_]
        if given:
            raise typer.BadParameter("only applies to --kafka", param_hint=f"'{given[0]}'")


def _load_or_fit(data: str, method: Method | None, seed: int, read: TableReader) -> Any:
    """The model saved at ``data``, or one fitted on the table at ``data``."""
    from genesis.generators import SyntheticGenerator

    if _is_model_file(data):
        if method is not None:
            raise typer.BadParameter(
                f"{data} is a saved model: it is streamed as it was fitted",
                param_hint="'--method'",
            )
        typer.echo(f"loading the model {data}", err=True)
        return SyntheticGenerator.load(data)
    frame = read(data)
    method = method or Method.gaussian_copula
    typer.echo(f"fitting {method.value} on {len(frame):,} rows of {data}", err=True)
    return SyntheticGenerator(method.value, seed=seed).fit(frame)


def _is_model_file(path: str) -> bool:
    from genesis.generators.persistence import MAGIC

    try:
        with open(path, "rb") as fh:
            return fh.read(len(MAGIC)) == MAGIC
    except OSError:
        return False  # not a local file: a URL or a missing path, for the table reader


# --- Kafka ----------------------------------------------------------------------------------


def _stream_to_kafka(
    model: Any,
    servers: str,
    topic: str,
    rate: float | None,
    n: int | None,
    batch_size: int,
    key: str | None,
    value_format: Format,
    timeout: float,
    common: dict[str, Any],
) -> None:
    from genesis.streaming.kafka import KafkaStreamingGenerator

    generator = KafkaStreamingGenerator.from_model(
        model,
        servers,
        topic,
        batch_size=batch_size,
        key_column=key,
        value_serializer=value_format.value,
        delivery_timeout=timeout,
        **common,
    )
    failure: list[BaseException] = []

    def produce() -> None:
        try:
            generator.start_streaming(rate, max_samples=n)
        except BaseException as exc:  # re-raised in the main thread
            failure.append(exc)

    worker = threading.Thread(target=produce, name="genesis-stream-kafka", daemon=True)
    interrupted = False
    typer.echo(f"streaming to topic {topic!r} at {servers}", err=True)
    with ProgressLine("kafka", "acknowledged") as line:
        line.start()
        worker.start()
        try:
            while worker.is_alive():
                worker.join(0.25)
                line.show(generator.stats)
        except KeyboardInterrupt:
            interrupted = True
            line.note("stopping: waiting for the broker to acknowledge what was sent")
            generator.stop()
            worker.join()
        line.show(generator.stats)
    report = generator.delivery_report()
    spans = ", ".join(f"{p}: {a}-{b}" for p, (a, b) in report["offset_ranges"].items())
    typer.echo(
        f"{'failed' if failure else 'stopped' if interrupted else 'done'}: {report['rows']:,} "
        f"rows acknowledged by topic "
        f"{topic!r}, {report['failed']:,} failed, {generator.stats.elapsed_time:.1f} s "
        f"({report['rows_per_second']:,.0f} rows/s)" + (f"; offsets {spans}" if spans else ""),
        err=True,
    )
    if failure:
        raise failure[0]
    if interrupted:
        raise typer.Exit(INTERRUPTED)


# --- WebSocket ------------------------------------------------------------------------------


def _stream_to_websocket(
    model: Any,
    host: str,
    port: int,
    clients: int,
    rate: float | None,
    n: int | None,
    batch_size: int,
    common: dict[str, Any],
) -> None:
    import asyncio

    from genesis.streaming.websocket import WebSocketStreamingGenerator

    server = WebSocketStreamingGenerator.from_model(
        model, host=host, port=port, batch_size=batch_size, **common
    )

    async def serve(line: ProgressLine) -> bool:
        await server.start_server()
        typer.echo(
            f"listening on {server.url}; streaming starts when {clients} client"
            f"{'' if clients == 1 else 's'} joined",
            err=True,
        )
        line.start()
        ticker = asyncio.create_task(_tick(line, server))
        try:
            await server.wait_for_clients(clients)
            await server.stream(rate, n)
            return False
        except asyncio.CancelledError:  # Ctrl+C: asyncio.run cancels this task
            line.note("stopping: writing what the clients' buffers hold")
            return True
        finally:
            await server.stop()
            ticker.cancel()
            line.show(server.stats, server.clients)

    with ProgressLine("websocket", "written to clients") as line:
        interrupted = asyncio.run(serve(line))
    stats = server.stats
    typer.echo(
        f"{'stopped' if interrupted else 'done'}: {stats.total_samples:,} rows in "
        f"{stats.total_batches:,} batches from {server.url}, {stats.acknowledged:,} messages "
        f"written to clients, {stats.failed:,} dropped with slow or closed clients, "
        f"{stats.elapsed_time:.1f} s",
        err=True,
    )
    if interrupted:
        raise typer.Exit(INTERRUPTED)


async def _tick(line: ProgressLine, server: Any) -> None:
    import asyncio

    while True:
        line.show(server.stats, server.clients)
        await asyncio.sleep(0.25)


# --- the progress line ----------------------------------------------------------------------


class ProgressLine:
    """One live line on stderr: rows, rows/s and delivered messages (``delivered`` names
    them: ``acknowledged`` for Kafka)."""

    def __init__(self, what: str, delivered: str) -> None:
        from rich.live import Live
        from rich.text import Text

        from genesis.cli.common import stderr

        self.what = what
        self.delivered = delivered
        self._text = Text
        self.console = stderr()
        self.live = Live(
            self._text(f"{what}: starting"),
            console=self.console,
            refresh_per_second=4,
            transient=False,
        )

    def __enter__(self) -> ProgressLine:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.stop()

    def start(self) -> None:
        """Show the line (from now on, until :meth:`stop`)."""
        self.live.start()

    def stop(self) -> None:
        """Leave the last state on screen, the cursor on the next line."""
        if self.live.is_started:
            self.live.stop()
            if not self.console.is_terminal:  # Rich ends a non-live render without a newline
                self.console.line()

    def show(self, stats: Any, clients: int | None = None) -> None:
        """Show ``stats`` (a :class:`~genesis.streaming.StreamingStats`)."""
        parts = [
            f"{stats.total_samples:,} rows",
            f"{stats.samples_per_second:,.0f} rows/s",
            f"{stats.acknowledged:,} {self.delivered}",
        ]
        if stats.failed:
            parts.append(f"{stats.failed:,} failed")
        if clients is not None:
            parts.append(f"{clients} client{'' if clients == 1 else 's'}")
        self.live.update(self._text(f"{self.what}: " + " · ".join(parts)))

    def note(self, message: str) -> None:
        """Print ``message`` above the line."""
        self.console.print(message, highlight=False)


def register(app: typer.Typer) -> None:
    app.command()(stream)
