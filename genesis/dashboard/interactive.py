"""InteractiveDashboard: a live Dash page to pick a column and compare real and synthetic."""

from __future__ import annotations

import threading
from typing import Any

import pandas as pd

from genesis.errors import InvalidDataError, InvalidParameterError
from genesis.validation import require_frame

#: how often an open page checks for a synthetic table replaced by ``update_synthetic``
REFRESH_MS = 2_000


class InteractiveDashboard:
    """A Dash server comparing one column at a time, and pairs of numeric columns (as 2-D
    densities: like the report, the page shows real data only as aggregates).

    Args:
        real_data: the real rows.
        synthetic_data: the synthetic rows, same columns.
        host: interface to listen on (``"127.0.0.1"``: this machine only; ``"0.0.0.0"``: every
            interface).
        port: TCP port.
        debug: Dash's debug mode (reloader and in-page error overlay).

    ``run()`` serves until interrupted (or until :meth:`stop` is called from another thread);
    ``update_synthetic(df)`` swaps the synthetic table while it runs and open pages redraw.
    """

    def __init__(
        self,
        real_data: pd.DataFrame,
        synthetic_data: pd.DataFrame,
        host: str = "127.0.0.1",
        port: int = 8050,
        debug: bool = False,
    ) -> None:
        self.real_data = require_frame(real_data, "real_data")
        self.synthetic_data = require_frame(synthetic_data, "synthetic_data")
        self.host = host
        self.port = port
        self.debug = debug
        self._lock = threading.Lock()
        self._version = 0
        self._state: tuple[Any, Any] | None = None
        self._app = None
        self._server = None

    # --- data --------------------------------------------------------------------------------

    def _check(self, synthetic: pd.DataFrame) -> None:
        require_frame(self.real_data, "real_data", min_rows=1)
        require_frame(synthetic, "synthetic_data", min_rows=1)
        missing = [c for c in self.real_data.columns if c not in synthetic.columns]
        if missing:
            raise InvalidDataError(
                f"the synthetic table lacks the real table's column(s) {missing}; generate it "
                "from a model fitted on the real table"
            )

    def _prepare(self, synthetic: pd.DataFrame) -> tuple[Any, Any]:
        from genesis.quality._prepare import prepare_tables
        from genesis.schema import infer_schema

        schema = infer_schema(self.real_data)
        synthetic = synthetic[list(self.real_data.columns)]
        return schema, prepare_tables({"real": self.real_data, "synthetic": synthetic}, schema)

    def update_synthetic(self, data: pd.DataFrame) -> None:
        """Replace the synthetic table; open pages redraw within a few seconds."""
        self._check(data)
        state = self._prepare(data)
        with self._lock:
            self.synthetic_data = data
            self._state = state
            self._version += 1

    def _current(self) -> tuple[pd.DataFrame, Any, Any, int]:
        with self._lock:
            if self._state is None:
                self._check(self.synthetic_data)
                self._state = self._prepare(self.synthetic_data)
            schema, prepared = self._state
            return self.synthetic_data, schema, prepared, self._version

    # --- the app -----------------------------------------------------------------------------

    @property
    def app(self):
        """The Dash application (built on first use)."""
        if self._app is None:
            self._app = self._build()
        return self._app

    def _build(self):
        from dash import Dash, Input, Output, State, dcc, html, no_update

        from genesis.dashboard import figures as figs
        from genesis.quality.statistical import ks_complement, tv_complement

        synthetic, schema, prepared, _ = self._current()
        columns = list(prepared.modelled)
        numeric = list(prepared.numeric)
        app = Dash(__name__, title="Genesis: real vs synthetic", serve_locally=True)
        app.layout = html.Div(
            [
                html.H1("Real vs synthetic"),
                html.P(id="row-counts"),
                html.Label("Column", htmlFor="column"),
                dcc.Dropdown(
                    id="column",
                    options=columns,
                    value=columns[0] if columns else None,
                    clearable=False,
                ),
                html.P(id="column-score"),
                dcc.Graph(id="distribution", responsive=True, style={"height": "400px"}),
                html.H2("Numeric pair"),
                dcc.Dropdown(
                    id="pair-x",
                    options=numeric,
                    value=numeric[0] if numeric else None,
                    clearable=False,
                ),
                dcc.Dropdown(
                    id="pair-y",
                    options=numeric,
                    value=numeric[1] if len(numeric) > 1 else None,
                    clearable=False,
                ),
                dcc.Graph(id="pair", responsive=True, style={"height": "420px"}),
                dcc.Interval(id="refresh", interval=REFRESH_MS),
                dcc.Store(id="version", data=0),
            ],
            style={"fontFamily": "sans-serif", "maxWidth": "1100px", "margin": "0 auto"},
        )

        # The timer has a callback of its own that only moves the version store. Dash keeps one
        # request per callback: had the timer shared the figures' callback, a tick answered
        # "no change" while a column's redraw was in flight would replace that redraw.
        @app.callback(
            Output("version", "data"),
            Input("refresh", "n_intervals"),
            State("version", "data"),
        )
        def follow(_ticks, shown):
            version = self._current()[3]
            return no_update if version == shown else version

        @app.callback(
            Output("distribution", "figure"),
            Output("column-score", "children"),
            Output("row-counts", "children"),
            Output("pair", "figure"),
            Input("column", "value"),
            Input("pair-x", "value"),
            Input("pair-y", "value"),
            Input("version", "data"),
        )
        def redraw(column, pair_x, pair_y, _version):
            synthetic, schema, prepared, version = self._current()
            counts = f"{len(self.real_data):,} real rows, {len(synthetic):,} synthetic rows (version {version})"
            pair = figs.go.Figure()
            if pair_x in prepared.numeric and pair_y in prepared.numeric and pair_x != pair_y:
                r = float(
                    pd.Series(prepared.values["real"][pair_x]).corr(
                        pd.Series(prepared.values["real"][pair_y])
                    )
                )
                pair = figs.density_figure(pair_x, pair_y, prepared, r)
            if column not in schema.names or column not in prepared.modelled:
                return figs.go.Figure(), "pick a column", counts, pair
            spec = schema[column]
            figure = figs.distribution_figure(
                spec, self.real_data[column], synthetic[column], prepared
            )
            real_v, synth_v = prepared.values["real"][column], prepared.values["synthetic"][column]
            if column in prepared.numeric:
                score = f"{column}: KS complement {ks_complement(real_v, synth_v):.3f} (1 = same distribution)"
            else:
                tv = tv_complement(real_v, synth_v, prepared.n_levels[column])
                score = f"{column}: TV complement {tv:.3f} (1 = same distribution)"
            return figure, score, counts, pair

        return app

    # --- serving -----------------------------------------------------------------------------

    def run(self) -> None:
        """Serve the dashboard on ``host:port`` until interrupted or :meth:`stop` is called."""
        if not isinstance(self.port, int) or not 0 < self.port < 65536:
            raise InvalidParameterError(f"port must be an integer in 1..65535, got {self.port!r}")
        app = self.app
        if self.debug:
            app.run(host=self.host, port=self.port, debug=True)
            return
        import logging

        from werkzeug.serving import make_server

        # one log line per request (assets, callbacks, the refresh timer) drowns the console
        logging.getLogger("werkzeug").setLevel(logging.WARNING)

        try:
            server = make_server(self.host, self.port, app.server, threaded=True)
        except OSError as exc:
            raise InvalidParameterError(
                f"cannot listen on {self.host}:{self.port} ({exc.strerror or exc}); pick another "
                "port (--port) or stop the program using it"
            ) from None
        self._server = server
        try:
            server.serve_forever()
        finally:
            server.server_close()
            self._server = None

    def stop(self) -> None:
        """Stop a server started by :meth:`run` in another thread."""
        server = self._server
        if server is not None:
            server.shutdown()

    @property
    def url(self) -> str:
        """Where the page is served."""
        return f"http://{self.host}:{self.port}/"
