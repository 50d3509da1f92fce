"""Sites in separate processes, over gRPC: only statistics cross; drops, bad addresses,
wrong tokens and TLS."""

from __future__ import annotations

import os

import numpy as np
import pytest

from genesis.errors import SiteConnectionError, SiteDroppedError, SiteTooSmallError
from genesis.federated import (
    DataSite,
    FederatedGenerator,
    ModelAggregator,
    SecureAggregator,
    SiteConfig,
)
from genesis.federated.transport import FederationServer, RemoteSite, decode, encode
from tests.leakage import leaked_combinations, leaked_rows


@pytest.fixture
def site_files(tmp_path, make_table):
    paths = {}
    for i in range(3):
        rows = make_table(600, seed=10 + i)
        # a column of unique, many-decimal values: any of them in a transcript is a leak
        rows["income"] = np.round(rows["income"] + np.random.default_rng(i).random(600), 9)
        paths[f"p{i}"] = (tmp_path / f"p{i}.csv", rows)
        rows.to_csv(paths[f"p{i}"][0], index=False)
    return paths


def _leaked(transcript: list[str], rows) -> int:
    text = "\n".join(transcript)
    return sum(repr(float(v)) in text for v in rows["income"])


@pytest.mark.parametrize(
    ("aggregator", "most"),
    # exact support: the sketch's observed quantiles, or the minimum and maximum; under DP
    # no observed value at all
    [
        (ModelAggregator(), 501),
        pytest.param(SecureAggregator(), 2, marks=pytest.mark.slow),  # masks: test_secure*
        (SecureAggregator(epsilon=8.0), 0),
    ],
)
def test_sites_in_their_own_processes_send_only_statistics(site_files, aggregator, most):
    sites = [
        RemoteSite(name, path, SiteConfig(name, privacy_budget=8.0))
        for name, (path, _) in site_files.items()
    ]
    try:
        assert all(site.pid != os.getpid() for site in sites)
        assert len({site.pid for site in sites}) == 3
        generator = FederatedGenerator(aggregator)
        for site in sites:
            generator.add_site(site)
        model = generator.train()
        rows = generator.generate(500)
        assert len(rows) == 500 and model.n_sites == 3
        for site in sites:
            _, table = site_files[site.name]
            # at most the support sketch's points (observed quantiles), never the rows
            leaked = _leaked(site.transcript, table)
            assert leaked <= most and (leaked > 0) == (most > 0)  # the check sees values
            # the project's leak checker: no row, no 4 values of one row in one record
            text = "\n".join(site.transcript)
            assert leaked_rows(text, table) == []
            assert leaked_combinations(text, table, k=4) == []
    finally:
        for site in sites:
            site.close()


def test_a_site_process_that_dies_is_recovered_by_the_unmask_protocol(site_files):
    sites = [RemoteSite(name, path, timeout=60) for name, (path, _) in site_files.items()]
    try:
        generator = FederatedGenerator(SecureAggregator(noise_scale=0.0))
        for site in sites:
            generator.add_site(site)
        original = generator.aggregator.round_plan

        def plan_then_drop(phase):  # p1 dies after the support round
            if phase == "marginals":
                sites[1].kill()
            return original(phase)

        generator.aggregator.round_plan = plan_then_drop
        model = generator.train()
        assert model.metadata["dropped_sites"] == ["p1"]
        assert model.total_samples == 1_200  # the survivors' rows
        assert len(generator.generate(100, strategy="equal")) == 100
    finally:
        for site in sites:
            site.close()


def test_a_remote_sites_errors_come_back_as_genesis_errors(site_files):
    path, _ = site_files["p0"]
    site = RemoteSite("p0", path, SiteConfig("p0", min_samples=1_000))
    with site, pytest.raises(SiteTooSmallError, match="600 rows"):
        site.initialize()


def test_the_leak_checker_sees_rows_in_a_transcript(site_files):
    _, table = site_files["p0"]  # positive control: rows sent as a message are caught
    assert leaked_rows(encode({"rows": table.head(5).to_dict("records")}), table) != []


def test_messages_round_trip():
    message = {"masked": np.array([2**64 - 1, 3], dtype=np.uint64), "key": b"\x00\xff"}
    back = decode(encode(message))
    assert back["masked"].dtype == np.uint64 and back["masked"][0] == 2**64 - 1
    assert back["key"] == b"\x00\xff"


# -- the gRPC transport ------------------------------------------------------------------------


def test_the_aggregator_serves_and_each_site_dials_out(site_files):
    import psutil

    path, _ = site_files["p0"]
    with RemoteSite("p0", path, SiteConfig("p0", seed=1)) as site:
        host, port = site.server.address.split(":")
        assert host == "127.0.0.1" and int(port) > 0
        process = psutil.Process(site.pid)
        connections = process.net_connections(kind="tcp")
        # the site's only TCP connections go out to the aggregator's port; it listens on none
        assert connections and all(c.status != psutil.CONN_LISTEN for c in connections)
        assert {c.raddr.port for c in connections if c.raddr} == {int(port)}
        assert isinstance(site.masking_key(), bytes)


def test_a_killed_site_process_is_a_clear_error_at_once(site_files):
    import time

    path, _ = site_files["p0"]
    with RemoteSite("p0", path, timeout=60) as site:
        site.initialize()
        site.kill()
        start = time.monotonic()
        with pytest.raises(SiteDroppedError, match=r"site 'p0' exited \(code -9\).*'train_local'"):
            site.train_local()
        assert time.monotonic() - start < 10  # noticed, not waited out


def test_a_silent_site_times_out(site_files):
    import signal

    path, _ = site_files["p0"]
    with RemoteSite("p0", path, timeout=2) as site:
        os.kill(site.pid, signal.SIGSTOP)
        try:
            with pytest.raises(SiteDroppedError, match=r"site 'p0' did not answer within 2 s"):
                site.initialize()
        finally:
            os.kill(site.pid, signal.SIGCONT)


def test_a_bad_aggregator_address_is_a_clear_error(site_files, capsys):
    from genesis.federated import site_process

    with pytest.raises(SiteConnectionError, match=r"cannot reach the aggregator at '127.0.0.1:1'"):
        site_process.connect("127.0.0.1:1", timeout=1)
    path, _ = site_files["p0"]
    code = site_process.main(
        [
            "--aggregator",
            "127.0.0.1:1",
            "--data",
            str(path),
            "--config",
            '{"name": "p0"}',
            "--connect-timeout",
            "1",
        ]  # fmt: skip
    )
    assert code == 2 and "cannot reach the aggregator" in capsys.readouterr().err
    with pytest.raises(SiteConnectionError, match="cannot listen on '256.0.0.1:0'"):
        FederationServer(host="256.0.0.1")


def test_a_site_process_that_cannot_connect_fails_the_proxy_with_its_reason(site_files):
    path, _ = site_files["p0"]
    with pytest.raises(
        SiteDroppedError,
        match=r"site 'p0' exited \(code 2\) before answering 'describe': .*FileNotFoundError",
    ):
        RemoteSite("p0", path.parent / "missing.csv", connect_timeout=30)


def test_a_wrong_token_is_refused(site_files):
    from genesis.federated import site_process

    server = FederationServer()
    try:
        server.register("p0")
        path, table = site_files["p0"]
        site = DataSite("p0", table)
        with (
            site_process.connect(server.address, timeout=10) as channel,
            pytest.raises(SiteConnectionError, match="refused site 'p0'"),
        ):
            site_process.serve(site, channel, token="not-the-token")
    finally:
        server.stop()


def _self_signed(folder):
    import datetime as dt
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    pem = cert.public_bytes(serialization.Encoding.PEM)
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    (folder / "cert.pem").write_bytes(pem)
    return key_pem, pem, folder / "cert.pem"


def test_tls_between_the_aggregator_and_the_sites(site_files, tmp_path):
    import grpc

    from genesis.federated import site_process

    key, cert, cert_path = _self_signed(tmp_path)
    server = FederationServer(server_credentials=grpc.ssl_server_credentials([(key, cert)]))
    sites = []
    try:
        assert server.tls
        sites = [
            RemoteSite(name, path, server=server, root_certificates=cert_path)
            for name, (path, _) in site_files.items()
        ]
        generator = FederatedGenerator(SecureAggregator())
        for site in sites:
            generator.add_site(site)
        assert generator.train().n_sites == 3
        # a plaintext client cannot talk to the TLS server
        with pytest.raises(SiteConnectionError):
            site_process.connect(server.address, timeout=2)
    finally:
        for site in sites:
            site.close()
        server.stop()
