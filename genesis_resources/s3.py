"""Artifacts on S3 (or any S3-compatible store): ``s3://<bucket>/<prefix>/<dataset>/<name>``.

The client is dagster-aws's ``S3Resource`` (boto3 underneath). Credentials come through ``dg.EnvVar``, never inline::

    S3ArtifactStore(
        bucket="genesis-artifacts",
        aws_access_key_id=dg.EnvVar("AWS_ACCESS_KEY_ID"),
        aws_secret_access_key=dg.EnvVar("AWS_SECRET_ACCESS_KEY"),
    )

A single S3 PUT is atomic: readers see the old object or the new one, never a part.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

from pydantic import Field, PrivateAttr

from genesis.errors import DataWriteError, SourceNotFoundError, missing_dependency
from genesis_resources.storage import ArtifactStore, _check_relative

if TYPE_CHECKING:
    import pandas as pd


class S3ArtifactStore(ArtifactStore):
    """Artifacts in an S3 bucket, under ``prefix``."""

    bucket: str = Field(description="Bucket holding the artifacts (must exist).")
    prefix: str = Field("genesis", description="Key prefix inside the bucket.")
    endpoint_url: str | None = Field(
        None, description="S3-compatible endpoint (MinIO, moto...); empty for AWS."
    )
    region_name: str | None = Field(None, description="AWS region.")
    aws_access_key_id: str | None = Field(None, description="Set with dg.EnvVar.")
    aws_secret_access_key: str | None = Field(None, description="Set with dg.EnvVar.")
    _client: Any = PrivateAttr(default=None)

    def _s3(self) -> Any:
        if self._client is None:
            options = {
                "endpoint_url": self.endpoint_url,
                "region_name": self.region_name,
                "aws_access_key_id": self.aws_access_key_id,
                "aws_secret_access_key": self.aws_secret_access_key,
            }
            options = {k: v for k, v in options.items() if v}
            try:
                from dagster_aws.s3 import S3Resource
            except ImportError as exc:
                raise missing_dependency("dagster_aws", "the S3 artifact store") from exc
            self._client = S3Resource(**options).get_client()
        return self._client

    def _key(self, dataset: str, name: str) -> str:
        rel = str(_check_relative(dataset, name))
        prefix = self.prefix.strip("/")
        return f"{prefix}/{rel}" if prefix else rel

    def path_for(self, dataset: str, name: str) -> str:
        return f"s3://{self.bucket}/{self._key(dataset, name)}"

    def storage_options(self) -> dict:
        """s3fs options with this store's endpoint, region and keys (boto3's default
        credential chain when the keys are empty)."""
        client = {"endpoint_url": self.endpoint_url, "region_name": self.region_name}
        options: dict = {"key": self.aws_access_key_id, "secret": self.aws_secret_access_key}
        options = {k: v for k, v in options.items() if v}
        if any(client.values()):
            options["client_kwargs"] = {k: v for k, v in client.items() if v}
        return options

    def exists(self, dataset: str, name: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self._s3().head_object(Bucket=self.bucket, Key=self._key(dataset, name))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in {"404", "NoSuchKey", "NotFound"}:
                return False
            raise
        return True

    def write_bytes(self, dataset: str, name: str, data: bytes, *, private: bool = False) -> str:
        # objects are private unless the bucket's policy says otherwise: nothing to add
        from botocore.exceptions import BotoCoreError, ClientError

        key = self._key(dataset, name)
        try:
            self._s3().put_object(Bucket=self.bucket, Key=key, Body=data)
        except (BotoCoreError, ClientError) as exc:
            raise DataWriteError(
                f"cannot write artifact s3://{self.bucket}/{key}: {exc}; check that the bucket "
                "exists and the credentials (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY) may write"
            ) from None
        return f"s3://{self.bucket}/{key}"

    def read_bytes(self, dataset: str, name: str) -> bytes:
        from botocore.exceptions import ClientError

        key = self._key(dataset, name)
        try:
            response = self._s3().get_object(Bucket=self.bucket, Key=key)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in {"404", "NoSuchKey", "NotFound"}:
                raise SourceNotFoundError(
                    f"artifact s3://{self.bucket}/{key} does not exist; materialize the asset "
                    f"that writes it ({dataset}/{name}) first"
                ) from None
            raise
        return response["Body"].read()

    def read_parquet(self, dataset: str, name: str) -> pd.DataFrame:
        import pandas as pd

        return pd.read_parquet(io.BytesIO(self.read_bytes(dataset, name)))
