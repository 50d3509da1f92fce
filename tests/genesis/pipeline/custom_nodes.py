"""Custom nodes imported by dotted path from the YAML tests (not a test module)."""

from __future__ import annotations

from genesis.pipeline import PipelineNode


class UpperColumnsNode(PipelineNode):
    """Upper-cases the column names of its one input (registered as ``upper_columns``)."""

    node_type = "upper_columns"

    def execute(self, inputs: dict) -> dict:
        frame = self.input_frame(inputs)
        suffix = self.params.get("suffix", "")
        return {"output": frame.rename(columns=lambda c: c.upper() + suffix)}


def keep_adults(frame):
    """A transform function named by import path in YAML."""
    return frame[frame["age"] >= 18].reset_index(drop=True)


NOT_A_NODE = 42
