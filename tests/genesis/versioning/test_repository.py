"""genesis.versioning: git-like semantics on Apache Iceberg, on a local folder and on S3 (moto)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from genesis.errors import (
    DataWriteError,
    GenesisError,
    InvalidDataError,
    InvalidParameterError,
    SourceNotFoundError,
)
from genesis.io import fingerprint
from genesis.versioning import Branch, DatasetRepository, MergeConflictError, Tag, diff_frames

REPO_ROOT = Path(__file__).resolve().parents[3]
S3_KEY = S3_SECRET = "test"


@pytest.fixture(scope="module")
def adult_small(adult_df: pd.DataFrame) -> pd.DataFrame:
    return adult_df.sample(n=2_000, random_state=0).reset_index(drop=True)


@pytest.fixture(params=["local", "s3"])
def make_repo(request, tmp_path: Path) -> Callable[..., DatasetRepository]:
    """A factory of repositories whose warehouse is a local folder or a bucket on moto."""
    if request.param == "local":
        return lambda name="ds": DatasetRepository.init(tmp_path / "repo", name=name)
    endpoint = request.getfixturevalue("s3_server")
    client = request.getfixturevalue("s3_client")
    bucket = f"wh-{uuid.uuid4().hex[:12]}"
    client.create_bucket(Bucket=bucket)
    catalog = {
        "uri": f"sqlite:///{tmp_path / 'catalog.db'}",
        "s3.endpoint": endpoint,
        "s3.access-key-id": S3_KEY,
        "s3.secret-access-key": S3_SECRET,
        "s3.region": "us-east-1",
    }
    return lambda name="ds": DatasetRepository.init(f"s3://{bucket}/warehouse", catalog, name=name)


def _run_python(code: str, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


# ----------------------------------------------------------------------------- commits
def test_commit_log_and_load_round_trip(make_repo, adult_small):
    repo = make_repo()
    assert repo.log() == []
    first = repo.commit(adult_small, "initial import", {"source": "adult.csv", "rows": 2000})
    second_df = adult_small.iloc[:1500]
    second = repo.commit(second_df, "drop rows")
    log = repo.log()
    assert [c.message for c in log] == ["drop rows", "initial import"]
    assert second.parent == first.hash and first.parent is None
    assert log[1].metadata == {"source": "adult.csv", "rows": 2000}
    assert first.fingerprint == fingerprint(adult_small)
    pd.testing.assert_frame_equal(first.load_data(), adult_small)
    pd.testing.assert_frame_equal(repo.load(), second_df.reset_index(drop=True))
    # the message and metadata live in the Iceberg snapshot summary itself
    snap = repo.catalog.load_table(repo.identifier).snapshot_by_id(first.snapshot_id)
    assert snap.summary["genesis.message"] == "initial import"
    assert json.loads(snap.summary["genesis.metadata"])["rows"] == 2000
    assert repo.verify().ok


def test_unchanged_recommit_writes_nothing(make_repo, adult_small, tmp_path, caplog):
    repo = make_repo()
    first = repo.commit(adult_small, "v1")
    table = repo.catalog.load_table(repo.identifier)
    files_before = sorted(p for p in tmp_path.rglob("*") if p.is_file() and p.suffix != ".db")
    with caplog.at_level("INFO", logger="genesis.versioning"):
        again = repo.commit(adult_small.copy(), "v1 again")
    assert again.created is False and again.hash == first.hash
    assert "no snapshot written" in caplog.text
    table = repo.catalog.load_table(repo.identifier)
    assert len(table.snapshots()) == 1
    files_after = sorted(p for p in tmp_path.rglob("*") if p.is_file() and p.suffix != ".db")
    assert files_after == files_before
    # a real change still commits
    assert repo.commit(adult_small.iloc[:10], "v2").created is True


def test_schema_evolution_added_and_retyped_columns(make_repo, adult_small, caplog):
    repo = make_repo()
    v1 = repo.commit(adult_small, "v1")
    with caplog.at_level("WARNING", logger="genesis.versioning"):
        v2 = repo.commit(adult_small.assign(score=0.5), "add score")
    assert v2.schema_changes == ["added column 'score' (double)"]
    assert "schema evolves" in caplog.text
    v3 = repo.commit(adult_small.assign(age=adult_small["age"].astype(str)), "age as text")
    assert v3.schema_changes == [
        "dropped column 'score' (was double)",
        "retyped column 'age': long -> string",
    ]
    # every version reads back with its own schema
    assert v1.load_data()["age"].dtype == "int64"
    assert "score" in v2.load_data().columns
    assert v3.load_data()["age"].dtype == object and "score" not in v3.load_data().columns


# ----------------------------------------------------------------------------- refs
def heads(repo: DatasetRepository) -> dict[str, str]:
    return {branch.name: branch.head for branch in repo.branches()}


def test_branch_checkout_and_tag(make_repo, adult_small):
    repo = make_repo()
    base = repo.commit(adult_small, "base")
    repo.branch("experiment")
    assert repo.branches() == [
        Branch("experiment", base.hash, is_current=False),
        Branch("main", base.hash, is_current=True),
    ]
    repo.checkout("experiment")
    assert [b.name for b in repo.branches() if b.is_current] == ["experiment"]
    exp = repo.commit(adult_small.iloc[:500], "smaller")
    assert repo.current_branch == "experiment"
    assert heads(repo)["main"] == base.hash  # main did not move
    repo.checkout("main")
    assert len(repo.load()) == 2_000
    repo.tag("v1.0", "first release", ref="experiment")
    assert repo.tags() == [Tag("v1.0", exp.hash, "first release")]
    assert repo.tag_message("v1.0") == "first release"
    repo.checkout("v1.0")
    assert repo.current_branch is None and len(repo.load()) == 500
    with pytest.raises(InvalidParameterError, match="detached"):
        repo.commit(adult_small, "on a tag")
    repo.checkout(base.hash)  # a snapshot id
    assert repo.head == base.hash
    with pytest.raises(InvalidParameterError, match="already exists"):
        repo.tag("v1.0", "again")
    with pytest.raises(InvalidParameterError, match="not a branch, tag or snapshot"):
        repo.checkout("nope")


def test_fast_forward_merge(make_repo, adult_small):
    repo = make_repo()
    repo.commit(adult_small, "base")
    repo.branch("feature")
    repo.checkout("feature")
    head = repo.commit(adult_small.iloc[:700], "feature work")
    repo.checkout("main")
    snapshots = len(repo.catalog.load_table(repo.identifier).snapshots())
    merged = repo.merge("feature")
    assert merged.hash == head.hash
    assert heads(repo)["main"] == head.hash
    assert len(repo.catalog.load_table(repo.identifier).snapshots()) == snapshots  # no new one
    assert repo.merge("feature").created is False  # already up to date


def test_true_merge_is_a_union_by_row_content(make_repo, adult_small):
    repo = make_repo()
    base_df = adult_small.iloc[:1000]
    repo.commit(base_df, "base")
    repo.branch("other")
    ours_df = pd.concat([base_df, adult_small.iloc[1000:1200]], ignore_index=True)
    ours = repo.commit(ours_df, "ours adds 200")
    repo.checkout("other")
    theirs_df = pd.concat([base_df.iloc[100:], adult_small.iloc[1100:1400]], ignore_index=True)
    theirs = repo.commit(theirs_df, "theirs drops 100, adds 300 (100 shared with ours)")
    repo.checkout("main")
    merged = repo.merge("other")
    assert merged.created and merged.merge_parent == theirs.hash and merged.parent == ours.hash
    assert merged.message == "Merge other into main"
    data = merged.load_data()
    expected = pd.concat([base_df, adult_small.iloc[1000:1400]], ignore_index=True)
    assert len(data) == len(expected) == 1400
    assert diff_frames(expected, data).is_empty
    # the merged branch is now an ancestor: merging again changes nothing
    assert repo.merge("other").created is False


def test_merge_schema_conflict_is_explained(make_repo, adult_small):
    repo = make_repo()
    repo.commit(adult_small, "base")
    repo.branch("typed")
    repo.commit(adult_small.iloc[:1000], "ours")
    repo.checkout("typed")
    repo.commit(adult_small.assign(age=adult_small["age"].astype(float)), "age as float")
    repo.checkout("main")
    with pytest.raises(MergeConflictError, match=r"types differ: \['age: int64 vs float64'\]"):
        repo.merge("typed")


# ----------------------------------------------------------------------------- diff
def test_diff_counts_rows_and_column_statistics(make_repo, adult_small):
    repo = make_repo()
    v1 = repo.commit(adult_small, "v1")
    changed = adult_small.iloc[100:].copy()
    changed.loc[changed.index[:50], "hours-per-week"] = 99
    changed["bonus"] = 1.0
    v2 = repo.commit(changed.sample(frac=1, random_state=3), "shuffled, 100 dropped, 50 edited")
    diff = repo.diff(v1.hash, v2.hash)
    edited_rows = int((adult_small.iloc[100:150]["hours-per-week"] != 99).sum())
    assert diff.rows_removed == 100 + edited_rows
    assert diff.rows_added == edited_rows
    assert diff.columns_changed == ["bonus"]
    assert diff.column_changes["bonus"].change == "added"
    hours = diff.column_changes["hours-per-week"]
    assert hours.change == "statistics" and hours.after["max"] == 99.0
    assert "age" in diff.column_changes  # 100 rows fewer move its mean
    assert repo.diff(v1.hash, v1.hash).is_empty
    assert diff.to_dict()["rows_added"] == edited_rows


def test_diff_of_full_adult_versions_is_fast(adult_df, tmp_path):
    repo = DatasetRepository.init(tmp_path, name="adult")
    v1 = repo.commit(adult_df, "v1")
    # keep 30,000 rows, add 500 rows no one has (age 200): a multiset difference of 2,561 / 500
    v2_df = pd.concat(
        [adult_df.iloc[:30_000], adult_df.iloc[:500].assign(age=200)], ignore_index=True
    )
    v2 = repo.commit(v2_df, "v2")
    start = time.perf_counter()
    diff = repo.diff(v1.hash, v2.hash)
    elapsed = time.perf_counter() - start
    assert (diff.rows_removed, diff.rows_added) == (len(adult_df) - 30_000, 500)
    assert diff.column_changes["age"].after["max"] == 200.0
    assert elapsed < 3.0, f"diff of two Adult versions took {elapsed:.2f} s (target 1 s)"


# ----------------------------------------------------------------------------- bad input
def test_bad_inputs_name_the_fix(tmp_path, adult_small):
    repo = DatasetRepository.init(tmp_path, name="ds")
    with pytest.raises(InvalidDataError, match="pandas DataFrame"):
        repo.commit([1, 2], "list")
    with pytest.raises(InvalidParameterError, match="non-empty message"):
        repo.commit(adult_small, "  ")
    with pytest.raises(InvalidDataError, match="no columns"):
        repo.commit(pd.DataFrame(), "empty")
    dup = pd.DataFrame([[1, 2]], columns=["a", "a"])
    with pytest.raises(InvalidDataError, match="duplicate column names"):
        repo.commit(dup, "dup")
    with pytest.raises(InvalidParameterError, match="must be a dict"):
        repo.commit(adult_small, "meta", ["not", "a", "dict"])
    with pytest.raises(SourceNotFoundError, match="no commits yet"):
        repo.branch("b")
    with pytest.raises(InvalidParameterError, match="catalog="):
        DatasetRepository.init("s3://bucket/warehouse")
    with pytest.raises(InvalidParameterError, match="letters, digits"):
        DatasetRepository.init(tmp_path, name="bad name")
    repo.commit(adult_small, "v1")
    with pytest.raises(InvalidParameterError, match="looks like a snapshot id"):
        repo.branch("123")


# ----------------------------------------------------------------------------- reliability
def test_verify_finds_missing_and_wrong_data_files(tmp_path, adult_small):
    repo = DatasetRepository.init(tmp_path, name="ds")
    repo.commit(adult_small, "v1")
    repo.commit(adult_small.iloc[:300], "v2")
    report = repo.verify()
    assert report.ok and report.snapshots_checked == 2 and report.files_checked == 2
    data_files = sorted((tmp_path / "warehouse").rglob("*.parquet"))
    data_files[0].unlink()
    # the other file replaced by one with a different row count
    adult_small.iloc[:7].to_parquet(data_files[1], index=False)
    problems = repo.verify().problems
    assert any("is missing" in p for p in problems)
    assert any("holds 7 rows, its manifest says" in p for p in problems)


def test_loading_a_version_whose_data_file_was_deleted_names_the_version(tmp_path, adult_small):
    repo = DatasetRepository.init(tmp_path, name="ds")
    v1 = repo.commit(adult_small, "v1")
    v2 = repo.commit(adult_small.iloc[:300], "v2")
    table = repo.catalog.load_table(repo.identifier)
    (task,) = table.scan(snapshot_id=v1.snapshot_id).plan_files()
    data_file = Path(task.file.file_path.removeprefix("file://"))
    data_file.unlink()  # v1's file
    with pytest.raises(
        SourceNotFoundError, match=rf"version {v1.hash} of 'ds'.*verify\(\)"
    ) as info:
        repo.load(v1.hash)  # was a raw FileNotFoundError
    assert isinstance(info.value, GenesisError)
    assert len(repo.load(v2.hash)) == 300  # other versions still load
    assert any(v1.hash in problem for problem in repo.verify().problems)


def test_empty_column_name_is_refused_before_iceberg(tmp_path, adult_small):
    repo = DatasetRepository.init(tmp_path, name="ds")
    with pytest.raises(InvalidDataError, match="empty name"):
        repo.commit(pd.DataFrame({"": [1, 2], "b": [3, 4]}), "blank")  # was pyiceberg ValueError
    with pytest.raises(InvalidDataError, match="must be strings"):
        repo.commit(pd.DataFrame({0: [1, 2]}), "int names")
    assert repo.log() == []


def test_repository_opens_on_a_path_and_says_where_it_is(tmp_path, adult_small):
    repo = DatasetRepository(tmp_path / "versions")  # was an error at the first commit
    commit = repo.commit(adult_small.iloc[:10], "first")
    assert repo.path == str(tmp_path / "versions")
    assert DatasetRepository.init(str(tmp_path / "versions")).path == str(tmp_path / "versions")
    again = DatasetRepository(str(tmp_path / "versions"))
    assert again.get_commit().hash == commit.hash
    with pytest.raises(InvalidParameterError, match="folder path or a PyIceberg catalog"):
        DatasetRepository(42)  # type: ignore[arg-type]


def test_reference_versioning_example_as_written(tmp_path, adult_small):
    """genesis-v1.4-architecture.md, "Dataset Versioning Architecture": every member named."""
    repo = DatasetRepository.init(str(tmp_path / "repo"))
    assert isinstance(repo.path, str)
    first = repo.commit(adult_small, "initial import")
    assert (first.message, first.parent) == ("initial import", None)
    assert isinstance(first.hash, str) and isinstance(first.metadata, dict)
    assert first.timestamp.tzinfo is not None
    repo.branch("experiment")
    repo.checkout("experiment")
    second = repo.commit(adult_small.iloc[:1500], "fewer rows")
    assert second.parent == first.hash
    repo.checkout("main")
    merged = repo.merge("experiment")
    repo.tag("v1")
    assert [c.message for c in repo.log()][-1] == "initial import"
    branch = next(b for b in repo.branches() if b.name == "main")
    assert (branch.head, branch.is_current) == (merged.hash, True)
    (tag,) = repo.tags()
    assert (tag.name, tag.commit_hash, tag.message) == ("v1", merged.hash, "")
    diff = repo.diff(first.hash, second.hash)
    assert (diff.rows_added, diff.rows_removed) == (0, 500)
    assert diff.columns_changed == [] and isinstance(diff.column_changes, dict)
    pd.testing.assert_frame_equal(first.load_data(), adult_small)


def test_merge_conflict_error_lives_in_genesis_errors():
    from genesis import errors

    assert MergeConflictError is errors.MergeConflictError
    assert issubclass(errors.MergeConflictError, errors.GenesisError)


def test_a_separate_process_reads_versions_with_plain_pyiceberg(make_repo, adult_small):
    repo = make_repo()
    v1 = repo.commit(adult_small, "v1")
    repo.commit(adult_small.iloc[:123], "v2")
    repo.tag("release", "for consumers", ref=v1.hash)
    reader = """
        import json, sys
        from pyiceberg.catalog import load_catalog
        props = json.loads(sys.argv[1])
        table = load_catalog(props.pop("name"), **props).load_table("genesis.ds")
        out = {
            "v1": table.scan(snapshot_id=int(sys.argv[2])).to_arrow().num_rows,
            "main": table.scan().to_arrow().num_rows,
            "release": table.scan(snapshot_id=table.snapshot_by_name("release").snapshot_id).to_arrow().num_rows,
        }
        print(json.dumps(out))
    """
    result = _run_python(reader, json.dumps(repo.catalog_properties), v1.hash)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == {
        "v1": 2000,
        "main": 123,
        "release": 2000,
    }


_WRITER = """
    import sys
    import pandas as pd
    from genesis.versioning import DatasetRepository
    path, who, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    repo = DatasetRepository.init(path, name="ds")
    for i in range(n):
        df = pd.DataFrame({"writer": [who] * (i + 1), "i": list(range(i + 1))})
        repo.commit(df, f"{who}-{i}")
"""


def test_concurrent_commits_from_two_processes_all_land(tmp_path, adult_small):
    DatasetRepository.init(tmp_path, name="ds").commit(adult_small.iloc[:10], "seed")
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", textwrap.dedent(_WRITER), str(tmp_path), who, "6"],
            env=env,
            stderr=subprocess.PIPE,
            text=True,
        )
        for who in ("alpha", "beta")
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=180)
        assert proc.returncode == 0, err
    repo = DatasetRepository.init(tmp_path, name="ds")
    messages = [c.message for c in repo.log()]
    assert sorted(messages) == sorted(
        ["seed"] + [f"{w}-{i}" for w in ("alpha", "beta") for i in range(6)]
    )
    assert len(repo.catalog.load_table(repo.identifier).snapshots()) == 13
    assert repo.verify().ok


_PAUSED_WRITER = """
    import sys, time
    from pathlib import Path
    import pandas as pd
    from pyiceberg.catalog.sql import SqlCatalog
    from genesis.versioning import DatasetRepository

    original = SqlCatalog.commit_table
    def paused(self, table, requirements, updates):
        # data files and manifests are written; the catalog has not switched yet
        Path(sys.argv[2]).write_text("ready")
        time.sleep(600)
        return original(self, table, requirements, updates)
    SqlCatalog.commit_table = paused
    repo = DatasetRepository.init(sys.argv[1], name="ds")
    repo.commit(pd.read_parquet(sys.argv[3]), "never lands")
"""


def test_a_commit_killed_before_the_catalog_update_leaves_the_previous_snapshot(
    tmp_path, adult_small
):
    repo = DatasetRepository.init(tmp_path / "repo", name="ds")
    before = repo.commit(adult_small, "v1")
    new_rows = tmp_path / "new.parquet"
    adult_small.iloc[:50].to_parquet(new_rows)
    marker = tmp_path / "marker"
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(_PAUSED_WRITER),
            str(tmp_path / "repo"),
            str(marker),
            str(new_rows),
        ],
        env=env,
    )
    deadline = time.monotonic() + 60
    while not marker.exists():
        assert proc.poll() is None, "the writer exited before reaching the catalog update"
        assert time.monotonic() < deadline, "the writer never reached the catalog update"
        time.sleep(0.05)
    files_written = len(list((tmp_path / "repo" / "warehouse").rglob("*.parquet")))
    assert files_written == 2  # the killed commit's data file is on disk...
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    fresh = DatasetRepository.init(tmp_path / "repo", name="ds")
    assert fresh.get_commit().hash == before.hash  # ...but no snapshot references it
    pd.testing.assert_frame_equal(fresh.load(), adult_small)
    report = fresh.verify()
    assert report.ok
    # the killed commit's files are listed as orphans, and clean removes only them
    orphans = report.orphaned_files
    orphan_data = [o for o in orphans if o.endswith(".parquet")]
    assert len(orphan_data) == 1 and "/data/" in orphan_data[0]
    assert fresh.clean(dry_run=True) == orphans
    assert len(list((tmp_path / "repo" / "warehouse").rglob("*.parquet"))) == 2
    assert fresh.clean() == orphans
    assert len(list((tmp_path / "repo" / "warehouse").rglob("*.parquet"))) == 1
    after = fresh.verify()
    assert after.ok and after.orphaned_files == []
    pd.testing.assert_frame_equal(fresh.load(), adult_small)
    assert fresh.commit(adult_small.iloc[:5], "after the crash").parent == before.hash
    assert fresh.verify().orphaned_files == [] and fresh.clean() == []


def test_commits_killed_at_random_moments_leave_a_complete_version(tmp_path, adult_small):
    path = tmp_path / "repo"
    versions = {fingerprint(adult_small): adult_small}
    DatasetRepository.init(path, name="ds").commit(adult_small, "v0")
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    writer = """
        import sys
        import pandas as pd
        from genesis.versioning import DatasetRepository
        repo = DatasetRepository.init(sys.argv[1], name="ds")
        df = pd.read_parquet(sys.argv[2])
        print("ready", flush=True)
        repo.commit(df, "next")
    """
    outcomes = []
    # a commit takes ~0.1 s once the process is ready: kill at moments spread over it
    for attempt, delay in enumerate((0.0, 0.02, 0.04, 0.06, 0.08, 0.1, 0.15, 0.3)):
        df = adult_small.iloc[: 100 * (attempt + 1)].reset_index(drop=True)
        versions[fingerprint(df)] = df
        source = tmp_path / f"v{attempt}.parquet"
        df.to_parquet(source)
        proc = subprocess.Popen(
            [sys.executable, "-c", textwrap.dedent(writer), str(path), str(source)],
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert proc.stdout.readline().strip() == "ready"
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        repo = DatasetRepository.init(path, name="ds")
        head = repo.get_commit()
        assert head.fingerprint in versions
        pd.testing.assert_frame_equal(repo.load(), versions[head.fingerprint])
        assert repo.verify().ok
        outcomes.append(head.fingerprint == fingerprint(df))
    assert repo.log()[-1].message == "v0"
    print("commits that landed before the kill:", outcomes)


def test_retries_give_up_with_a_clear_error(tmp_path, adult_small, monkeypatch):
    from pyiceberg.catalog.sql import SqlCatalog
    from pyiceberg.exceptions import CommitFailedException

    repo = DatasetRepository.init(tmp_path, name="ds", max_retries=3)
    repo.commit(adult_small, "v1")
    calls = []

    def always_conflict(self, table, requirements, updates):
        calls.append(1)
        raise CommitFailedException("Table has been updated by another process")

    monkeypatch.setattr(SqlCatalog, "commit_table", always_conflict)
    with pytest.raises(DataWriteError, match="did not land after 3 attempts"):
        repo.commit(adult_small.iloc[:3], "v2")
    assert len(calls) == 3


@pytest.mark.slow
def test_commit_of_full_adult_meets_the_one_second_target(adult_df, tmp_path):
    repo = DatasetRepository.init(tmp_path, name="adult")
    repo.commit(adult_df.iloc[:10], "warm-up")
    timings = []
    for i in range(3):
        df = adult_df.assign(run=i)
        start = time.perf_counter()
        repo.commit(df, f"run {i}")
        timings.append(time.perf_counter() - start)
    assert min(timings) <= 1.0, timings


def test_dtypes_round_trip_and_checkout_create(tmp_path):
    repo = DatasetRepository.init(tmp_path, name="typed")
    assert repo.checkout("dev", create=True) is None  # unborn branch in an empty repository
    df = pd.DataFrame(
        {
            "cat": pd.Categorical(["a", "b", "a"]),
            "n": pd.array([1, None, 3], dtype="Int64"),
            "when": pd.to_datetime(["2024-01-01", "2024-01-02", None]),
            "flag": [True, False, True],
        }
    )
    first = repo.commit(df, "typed")
    assert heads(repo) == {"main": first.hash, "dev": first.hash}
    pd.testing.assert_frame_equal(first.load_data(), df)
    repo.checkout("feature", create=True)
    assert heads(repo)["feature"] == first.hash and repo.current_branch == "feature"


def test_stray_files_are_orphans_and_clean_keeps_side_files(make_repo, adult_small):
    repo = make_repo()
    repo.commit(adult_small.iloc[:100], "v1")
    lineage = repo.write_file("lineage/chain.json", b"{}")  # ours, beside the table: kept
    stray = repo.write_file("data/leftover-of-a-killed-commit.parquet", b"not really parquet")
    report = repo.verify()
    assert report.ok and report.orphaned_files == [stray]
    assert repo.clean(min_age_seconds=3600) == []  # too new: may be a commit in flight
    assert repo.clean() == [stray]
    assert repo.verify().orphaned_files == []
    assert repo.read_file(lineage) == b"{}"
    assert len(repo.load()) == 100
