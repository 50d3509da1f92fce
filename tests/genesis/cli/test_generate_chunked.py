"""``genesis generate ... --chunk-rows N -o FOLDER|s3://...``: chunked output with a rows
progress bar, worker processes, reruns, and the options' misuse."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pandas as pd
import pytest

from tests.conftest import S3_KEY, S3_SECRET


def test_folder_output_with_workers_and_a_rows_bar(invoke, files, tmp_path):
    out = tmp_path / "big"
    args = ["generate", files / "real.csv", "-n", "20000", "--chunk-rows", "5000", "-o", out]
    result = invoke([*args, "-m", "gaussian_copula", "--seed", "4", "--workers", "2"])
    assert result.exit_code == 0, result.output
    assert "20,000/20,000 rows" in result.stderr and "rows/s" in result.stderr
    assert "wrote 20,000 rows in 4 chunk files" in result.stderr
    manifest = json.loads((out / "_manifest.json").read_text())
    assert manifest["plan"] == {"n_rows": 20_000, "chunk_rows": 5_000, "seed": 4, "n_chunks": 4}
    assert len(pd.read_parquet(out)) == 20_000
    again = invoke([*args, "-m", "gaussian_copula", "--seed", "4"])  # one process, same bytes
    assert again.exit_code == 0 and "already holds these 20,000 rows" in again.stderr
    other = invoke([*args, "-m", "gaussian_copula", "--seed", "5"])
    assert other.exit_code == 1 and "--overwrite" in other.stderr
    replaced = invoke([*args, "-m", "gaussian_copula", "--seed", "5", "--overwrite"])
    assert replaced.exit_code == 0, replaced.output
    assert json.loads((out / "_manifest.json").read_text())["plan"]["seed"] == 5


def test_a_folder_output_defaults_to_chunks_and_parquet_file_with_chunk_rows(
    invoke, files, tmp_path
):
    result = invoke(["generate", files / "real.csv", "-n", "300", "-o", tmp_path / "dir"])
    assert result.exit_code == 0, result.output
    plan = json.loads((tmp_path / "dir" / "_manifest.json").read_text())["plan"]
    assert plan["n_rows"] == 300 and plan["chunk_rows"] == 1_000_000
    args = ["generate", files / "real.csv", "-n", "300", "--chunk-rows", "100", "-o"]
    for output in (tmp_path / "one.parquet", tmp_path / "three"):
        result = invoke([*args, output])
        assert result.exit_code == 0, result.output
    pd.testing.assert_frame_equal(
        pd.read_parquet(tmp_path / "one.parquet"), pd.read_parquet(tmp_path / "three")
    )


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--chunk-rows", "100", "-o", "x.csv"], "chunked output is Parquet"),
        (["--workers", "2", "-o", "x.parquet"], "chunked output is Parquet"),
        (["--chunk-rows", "0", "-o", "dir"], "--chunk-rows"),
        (["--workers", "0", "-o", "dir"], "--workers"),
    ],
)
def test_misused_chunk_options_are_usage_errors(invoke, files, tmp_path, extra, message):
    result = invoke(["generate", files / "real.csv", "-n", "100", *extra])
    assert result.exit_code == 2 and message in result.output


@pytest.mark.slow  # a shell and a fresh interpreter; chunks to S3 stay in make test (test_chunked)
def test_s3_prefix_from_the_shell(files, s3_server, s3_client, tmp_path, repo_root):
    """The command as a user types it: credentials and endpoint from the AWS variables."""
    s3_client.create_bucket(Bucket="cli-chunks")
    env = {
        **os.environ,
        "PYTHONPATH": str(repo_root),
        "AWS_ACCESS_KEY_ID": S3_KEY,
        "AWS_SECRET_ACCESS_KEY": S3_SECRET,
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ENDPOINT_URL": s3_server,
    }
    args = [sys.executable, "-m", "genesis.cli", "generate", str(files / "real.csv")]
    args += ["-n", "12000", "--chunk-rows", "4000", "--workers", "2", "-o", "s3://cli-chunks/run"]
    done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "wrote 12,000 rows in 3 chunk files to s3://cli-chunks/run" in done.stderr
    keys = [o["Key"] for o in s3_client.list_objects_v2(Bucket="cli-chunks")["Contents"]]
    assert "run/_manifest.json" in keys and "run/part-00002.parquet" in keys
    missing = subprocess.run(
        [*args[:-1], "s3://no-bucket-here/run"], env=env, capture_output=True, text=True,
        timeout=300,
    )  # fmt: skip
    assert missing.returncode == 1 and "error: the bucket 'no-bucket-here'" in missing.stderr
