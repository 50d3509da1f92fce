"""Reading, writing and hashing tables.

* :mod:`genesis.io.read`: ``read_table`` for CSV, Parquet, JSON Lines and SQL, local or
  behind fsspec URLs, with one clear error per way a source can be wrong;
* :mod:`genesis.io.write`: atomic ``write_table`` / ``write_parquet`` / ``write_bytes_atomic``;
* :mod:`genesis.io.hashing`: ``row_hashes`` and ``fingerprint``, the one content hash;
* :mod:`genesis.io.kafka`: ``read_topic``, a bounded snapshot of a Kafka topic (also
  ``read_table("kafka://host:9092/topic")``);
* :mod:`genesis.io.formats` and :mod:`genesis.io.urls`: format detection, the one URL rule
  and password-free rendering of URLs.
"""

from genesis.io.formats import READ_FORMATS, WRITE_FORMATS, detect_format
from genesis.io.hashing import fingerprint, row_hashes
from genesis.io.kafka import read_topic
from genesis.io.read import read_table
from genesis.io.urls import is_remote_url, is_sql_url, is_url, redact_url
from genesis.io.write import csv_ready, write_bytes_atomic, write_parquet, write_table
from genesis.schema.logical import from_arrow, restore_types, to_model_types

__all__ = [
    "READ_FORMATS",
    "WRITE_FORMATS",
    "csv_ready",
    "detect_format",
    "fingerprint",
    "from_arrow",
    "is_remote_url",
    "is_sql_url",
    "is_url",
    "read_table",
    "read_topic",
    "redact_url",
    "restore_types",
    "row_hashes",
    "to_model_types",
    "write_bytes_atomic",
    "write_parquet",
    "write_table",
]
