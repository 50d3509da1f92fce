"""benchmarks/streaming.py runs end to end on a small scale and reports every figure."""

from __future__ import annotations

import re

import pytest


@pytest.mark.usefixtures("kafka_broker")  # fails with an install hint when tansu is missing
def test_streaming_benchmark_small_run(tmp_path):
    from benchmarks import streaming

    out = tmp_path / "streaming.md"
    code = streaming.main(
        [
            "--rows", "20000", "--batch-size", "5000", "--repeats", "1",
            "--rss-rows", "30000", "--faker-rows", "300", "--profile-rows", "20",
            "--out", str(out),
        ]
    )  # fmt: skip
    assert code == 0
    text = out.read_text()
    assert text.startswith("# Streaming Adult-shaped rows into Kafka")
    assert "- date: " in text and "- machine: " in text and "librdkafka" in text
    rates = {
        label: float(rate.replace(",", ""))
        for label, rate in re.findall(r"^\| ([^|]+?) \| ([\d,]+) \|", text, re.MULTILINE)
    }
    assert len(rates) == 7 and all(rate > 0 for rate in rates.values())
    assert (
        rates["Genesis generation alone (StreamingGenerator batches; per CPU second)"]
        > rates["Faker, `Faker.profile()` rows"]
    )
    assert re.search(r"RSS growth <= 50 MB after the first batch while streaming 30,000", text)
    assert "| json |" in text and "| avro |" in text
