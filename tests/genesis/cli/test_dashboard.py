"""``genesis dashboard``: the self-contained HTML report."""

from __future__ import annotations


def test_dashboard_writes_the_report(invoke, files, tmp_path):
    out = tmp_path / "report.html"
    args = ["dashboard", files / "real.csv", files / "synthetic.parquet", "-o", out]
    result = invoke([*args, "--target", "income"])
    assert result.exit_code == 0, result.output
    assert "verdict:" in result.stdout
    page = out.read_text()
    assert page.startswith("<!DOCTYPE html>") and "ML utility" in page


def test_an_unknown_target_is_one_line(invoke, error_line, files, tmp_path):
    args = ["dashboard", files / "real.csv", files / "synthetic.parquet", "-o", tmp_path / "r.html"]
    result = invoke([*args, "--target", "salary"])
    assert result.exit_code == 1
    assert "target 'salary'" in error_line(result)


BLOCK_PLOTLY = """
import importlib.abc, sys

class Absent(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("plotly", "dash"):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)

sys.meta_path.insert(0, Absent())
from genesis.cli import app
app(sys.argv[1:], prog_name="genesis")
"""


def test_without_the_dashboard_extra_the_message_names_it(files, tmp_path, repo_root):
    import subprocess
    import sys

    args = ["dashboard", str(files / "real.csv"), str(files / "synthetic.parquet")]
    out = subprocess.run(
        [sys.executable, "-c", BLOCK_PLOTLY, *args, "-o", str(tmp_path / "r.html")],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=repo_root,
    )
    assert out.returncode == 1, out.stderr[-2000:]
    last = out.stderr.strip().splitlines()[-1]
    assert last.startswith("error: ") and "pip install 'genesis-synth[dashboard]'" in last
    assert "Traceback" not in out.stderr
