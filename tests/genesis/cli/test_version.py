"""``genesis version``: log, tag, diff, verify and clean a dataset repository.

``verify`` listing orphans and ``clean`` use ``VerificationReport.orphaned_files`` and
``DatasetRepository.clean(dry_run=...)`` from the versioning package (issue 12 item 14).
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlparse

import pyarrow as pa
import pyarrow.parquet as pq
import pytest


@pytest.fixture()
def repository(tmp_path, adult_df):
    """A dataset repository holding two versions of 'adult' (500 rows, then 600)."""
    from genesis.versioning import DatasetRepository

    repo = DatasetRepository.init(tmp_path / "warehouse", name="adult")
    first = repo.commit(adult_df.iloc[:500], "first 500 rows")
    second = repo.commit(adult_df.iloc[:600], "100 more rows")
    return tmp_path / "warehouse", first.hash, second.hash, repo


def test_version_log_tag_and_diff(invoke, repository):
    folder, first, second, _ = repository
    repo = ["--repo", folder, "--dataset", "adult"]
    tagged = invoke(["version", "tag", "v1", *repo, "--ref", first, "-m", "pilot"])
    assert tagged.exit_code == 0, tagged.output
    assert f"version {first} as v1" in tagged.stdout
    log = invoke(["version", "log", *repo])
    assert log.exit_code == 0, log.output
    assert log.stdout.index(second) < log.stdout.index(first)  # newest first
    assert "v1" in log.stdout and "100 more rows" in log.stdout
    diff = invoke(["version", "diff", "v1", *repo, "--json"])
    assert diff.exit_code == 0, diff.output
    summary = json.loads(diff.stdout)
    assert summary["rows_added"] == 100 and summary["rows_removed"] == 0


def test_version_errors_name_the_fix(invoke, error_line, repository, tmp_path):
    folder = repository[0]
    missing = invoke(["version", "log", "--repo", tmp_path / "no", "-d", "adult"])
    assert missing.exit_code == 1 and "make demo" in error_line(missing)
    unknown = invoke(["version", "log", "--repo", folder, "-d", "census"])
    assert unknown.exit_code == 1 and "--dataset" in error_line(unknown)
    bad_ref = invoke(["version", "diff", "nope", "--repo", folder, "-d", "adult"])
    assert bad_ref.exit_code == 1 and "nope" in error_line(bad_ref)


def _data_folder(repo) -> Path:
    return Path(urlparse(repo.location).path) / "data"


def test_verify_lists_orphans_and_clean_removes_them(invoke, repository):
    folder, _, _, repo = repository
    args = ["--repo", folder, "-d", "adult"]
    orphan = _data_folder(repo) / "00000-0-left-by-a-killed-commit.parquet"
    pq.write_table(pa.table({"age": [1, 2]}), orphan)

    verified = invoke(["version", "verify", *args])
    assert verified.exit_code == 0, verified.output
    assert "0 problems, 1 orphaned files" in verified.stdout
    assert orphan.name in verified.stdout and "genesis version clean" in verified.stderr

    dry = invoke(["version", "clean", *args, "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert orphan.name in dry.stdout and "would remove 1 orphaned files" in dry.stdout
    assert orphan.exists()

    cleaned = invoke(["version", "clean", *args])
    assert cleaned.exit_code == 0, cleaned.output
    assert "removed 1 orphaned files" in cleaned.stdout
    assert not orphan.exists()
    assert "0 orphaned files" in invoke(["version", "verify", *args]).stdout
    assert len(repo.load()) == 600  # the versions are untouched


def test_verify_fails_when_a_version_lost_its_data(invoke, error_line, repository):
    folder, _, _, repo = repository
    for data_file in _data_folder(repo).glob("*.parquet"):
        data_file.unlink()
    result = invoke(["version", "verify", "--repo", folder, "-d", "adult"])
    assert result.exit_code == 1
    assert "missing" in result.stdout
    assert "missing or damaged" in error_line(result)
