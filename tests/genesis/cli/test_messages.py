"""Each kind of failure gets the advice that matches its cause."""

from __future__ import annotations

import errno

import pytest

from genesis.cli.messages import BUG, FAILED, INTERRUPTED, explain
from genesis.errors import DataWriteError, InvalidParameterError, MissingDependencyError


def test_a_genesis_error_is_shown_as_it_is():
    message, code = explain(InvalidParameterError("n must be at least 1; pass n=1 or more"))
    assert (message, code) == ("n must be at least 1; pass n=1 or more", FAILED)


def test_a_genesis_error_subclass_of_oserror_keeps_its_own_message():
    message, _ = explain(DataWriteError("cannot write out.csv: disk quota; free space"))
    assert message == "cannot write out.csv: disk quota; free space"


def test_memory_error_advises_fewer_rows_or_chunks_not_free_space():
    message, code = explain(MemoryError("Unable to allocate 56.0 GiB for an array"))
    assert code == FAILED
    assert "memory" in message and "56.0 GiB" in message
    assert "-n" in message and "chunk" in message
    assert "free space" not in message and "path" not in message


def test_only_a_full_disk_mentions_free_space():
    full, _ = explain(OSError(errno.ENOSPC, "No space left on device", "out.csv"))
    assert "free some space" in full and "out.csv" in full
    denied, _ = explain(PermissionError(errno.EACCES, "Permission denied", "/root/x.csv"))
    assert "permission" in denied and "/root/x.csv" in denied and "space" not in denied
    missing, _ = explain(FileNotFoundError(errno.ENOENT, "No such file", "a/b.csv"))
    assert "a/b.csv" in missing and "space" not in missing


@pytest.mark.parametrize(
    ("module", "extra"),
    [("torch", "neural"), ("plotly", "dashboard"), ("pyiceberg", "iceberg"), ("mlflow", "mlflow")],
)
def test_a_missing_optional_library_names_its_extra(module, extra):
    message, code = explain(ModuleNotFoundError(f"No module named '{module}'", name=module))
    assert code == FAILED
    assert f"pip install 'genesis-synth[{extra}]'" in message


def test_missing_dependency_errors_name_a_real_extra():
    from genesis.errors import missing_dependency

    error = missing_dependency("great_expectations", "the schema conformance check")
    assert isinstance(error, MissingDependencyError)
    assert "genesis-synth[gx]" in str(error) and "the schema conformance check" in str(error)


def test_an_unexpected_error_is_one_line_that_says_it_is_a_bug():
    message, code = explain(ValueError("Seed must be between 0 and 2**32 - 1"))
    assert code == BUG
    assert message.startswith("unexpected ValueError: Seed must be")
    assert "GENESIS_DEBUG=1" in message


def test_ctrl_c():
    assert explain(KeyboardInterrupt()) == ("interrupted", INTERRUPTED)
