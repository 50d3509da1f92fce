"""Exceptions that Genesis users catch.

Every error a user can provoke is a :class:`GenesisError`. Messages say what was wrong
and how to fix it, so the CLI and the Dagster UI can show them as they are.
"""

from __future__ import annotations


class GenesisError(Exception):
    """Base class of every error Genesis raises on purpose."""


# --- reading data -------------------------------------------------------------------------


class DataLoadError(GenesisError):
    """A table could not be read."""


class SourceNotFoundError(DataLoadError, FileNotFoundError):
    """The file, object or table named as a source does not exist."""


class EmptySourceError(DataLoadError):
    """The source exists but holds no bytes or no rows."""


class NoColumnsError(DataLoadError):
    """The source parsed, but into a table without columns."""


class DuplicateColumnsError(DataLoadError):
    """Two or more columns share a name, so they cannot be told apart."""


class UnparseableSourceError(DataLoadError):
    """The bytes do not parse in the declared or detected format."""


class UnsupportedFormatError(DataLoadError):
    """The format is not one Genesis reads or writes."""


class DataWriteError(GenesisError):
    """A table could not be written."""


# --- validating input ---------------------------------------------------------------------


class InvalidDataError(GenesisError, ValueError):
    """A DataFrame handed to Genesis cannot be used as it is."""


class InvalidParameterError(GenesisError, ValueError):
    """A parameter has a value outside what the function accepts."""


class SchemaError(GenesisError):
    """A schema is malformed or does not match the data it is applied to."""


class ConfigError(GenesisError, ValueError):
    """``genesis.yaml`` is missing, malformed, or declares a dataset that cannot work."""


class MissingDependencyError(GenesisError, ImportError):
    """An optional dependency needed for the requested feature is not installed."""


# --- models ------------------------------------------------------------------------------


class NotFittedError(GenesisError, ValueError, AttributeError):
    """A model was asked to generate or save before :meth:`fit` was called.

    Subclasses ``ValueError`` and ``AttributeError`` like scikit-learn's own, so code written
    for scikit-learn estimators catches it too.
    """


class ModelLoadError(GenesisError):
    """A saved model file is missing, corrupt, or was written by an incompatible version."""


class TooFewRowsError(InvalidDataError):
    """A table has too few rows to learn from without copying them.

    With a handful of rows every method can only reproduce the rows it saw (one row gives n
    copies of it), so fitting refuses below ``min_rows``.
    """


class MemoryBudgetError(GenesisError, MemoryError):
    """A requested generation would not fit in the memory available; the message gives the
    estimate and how to generate in chunks instead. Subclasses ``MemoryError``."""


# --- conditional generation ---------------------------------------------------------------


class InvalidConditionError(GenesisError, ValueError):
    """A condition cannot be used as written: an unknown column or operator, an operator the
    column's kind does not support, a value of the wrong type, a category never seen in
    training, or a range that leaves nothing. ``column`` names the column when known."""

    def __init__(self, message: str, column: str | None = None) -> None:
        super().__init__(message)
        self.column = column


class InfeasibleConditionError(GenesisError):
    """A valid condition cannot be met: no row of the data satisfies it, or its probability
    under the model is below what a bounded search can reach.

    ``probability`` is the estimated share of rows that satisfy it (None when unknown);
    ``alternative`` describes the nearest condition that can be met (None when unknown).
    """

    def __init__(
        self, message: str, probability: float | None = None, alternative: str | None = None
    ) -> None:
        super().__init__(message)
        self.probability = probability
        self.alternative = alternative


class ConditionOutOfRangeError(InvalidConditionError, InfeasibleConditionError):
    """A condition asks for values outside the column's training range (``age > 500`` when
    the oldest age seen is 90): invalid against the schema and infeasible under any model,
    so both ``except`` clauses catch it. ``probability`` is 0.0; ``alternative`` names the
    nearest value seen in training."""

    def __init__(
        self,
        message: str,
        column: str | None = None,
        probability: float | None = 0.0,
        alternative: str | None = None,
    ) -> None:
        GenesisError.__init__(self, message)
        self.column = column
        self.probability = probability
        self.alternative = alternative


# --- streaming ----------------------------------------------------------------------------


class StreamingError(GenesisError):
    """A stream of synthetic rows could not be delivered as asked."""


class BrokerUnavailableError(StreamingError, ConnectionError):
    """The message broker (Kafka) could not be reached within the configured timeout; the
    message names the address tried and what to check."""


class DeliveryError(StreamingError):
    """Messages were not acknowledged by the broker. ``failed`` is how many; ``acknowledged``
    how many were confirmed before the error (only those count as delivered)."""

    def __init__(self, message: str, failed: int = 0, acknowledged: int = 0) -> None:
        super().__init__(message)
        self.failed = failed
        self.acknowledged = acknowledged


# --- relational data ----------------------------------------------------------------------


class RelationalSchemaError(SchemaError):
    """Tables and relationships do not fit together: a relationship names a missing table or
    column, parent and child keys differ in length or type, a parent key is not unique, or
    the relationships form a cycle that cannot be generated. The message names the tables,
    the columns and the fix."""


# --- warnings ------------------------------------------------------------------------------


class GenesisWarning(UserWarning):
    """Base class of the warnings Genesis emits (filter them with this class)."""


class CopyRiskWarning(GenesisWarning):
    """A model is likely to reproduce real rows (a small table, or one with few distinct rows)."""


class AugmentationWarning(GenesisWarning):
    """Synthetic augmentation did not help a classifier on held-out real rows (see
    :attr:`genesis.augmentation.SyntheticAugmenter.validation_` for the figures)."""


#: the ``pip install 'genesis-synth[extra]'`` extra that installs each optional library
#: (keyed by import name); pyproject.toml's [project.optional-dependencies] holds them
EXTRAS = {
    "torch": "neural",
    "ctgan": "neural",
    "dagster": "dagster",
    "dagster_webserver": "dagster",
    "dagster_aws": "dagster",
    "dagster_k8s": "dagster",
    "dagster_postgres": "dagster",
    "dask": "scale",
    "grpc": "federated",
    "mlflow": "mlflow",
    "pyiceberg": "iceberg",
    "plotly": "dashboard",
    "dash": "dashboard",
    "playwright": "dashboard",
    "great_expectations": "gx",
    "evidently": "evidently",
    "s3fs": "s3",
    "boto3": "s3",
    "imblearn": "augment",
    "confluent_kafka": "streaming",
    "fastavro": "streaming",
    "websockets": "streaming",
    "fastapi": "api",
    "uvicorn": "api",
    "opendp": "federated",
    "cryptography": "federated",
}


# --- privacy ------------------------------------------------------------------------------


class PrivacyRetryError(GenesisError):
    """No setting of a privacy retry passed the audit.

    ``result`` holds every attempt (method, parameters, overall risk, failed checks), as
    :class:`genesis.privacy_attacks.retry.PrivacyRetryResult`.
    """

    def __init__(self, message: str, result: object = None) -> None:
        super().__init__(message)
        self.result = result


def missing_dependency(
    package: str, feature: str, extra: str | None = None
) -> MissingDependencyError:
    """Build the error for an optional dependency that is not installed.

    ``package`` is the import name; the extra that installs it is looked up in
    :data:`EXTRAS` when not given, so the hint always names a real extra.
    """
    extra = extra or EXTRAS.get(package.split(".")[0])
    hint = f"pip install 'genesis-synth[{extra}]'" if extra else f"pip install {package}"
    return MissingDependencyError(
        f"{feature} needs the package '{package}', which is not installed; run: {hint}"
    )


# --- versioning and lineage ---------------------------------------------------------------


class MergeConflictError(SchemaError):
    """Two versions cannot be merged because their columns or column types differ."""


class LineageVerificationError(GenesisError):
    """A lineage chain was altered: a block's hash or a link between blocks does not match."""


# --- language models ----------------------------------------------------------------------


class LLMError(GenesisError):
    """A language-model provider could not be asked or gave an unusable answer: unreachable,
    an HTTP error status, no answer within the timeout, or a reply that is not a JSON object.
    ``provider`` and ``url`` name where the request went; the message says how to fix it."""

    def __init__(self, message: str, provider: str | None = None, url: str | None = None) -> None:
        super().__init__(message)
        self.provider = provider
        self.url = url


class LLMFallbackWarning(GenesisWarning):
    """A language model was configured but could not be used (unreachable, an error status,
    an answer that is not valid JSON or does not fit the schema); Genesis used its rules
    instead. The message says what went wrong."""


# --- REST API -----------------------------------------------------------------------------


class ApiError(GenesisError):
    """A request to the REST API (:mod:`genesis.api`) cannot be served as sent. ``status`` is
    the HTTP status it answers with; ``problem`` says what was wrong and ``fix`` what to
    change (the message holds both)."""

    status = 400

    def __init__(self, problem: str, fix: str = "") -> None:
        super().__init__(f"{problem}; {fix}" if fix else problem)
        self.problem = problem
        self.fix = fix


class AuthenticationError(ApiError):
    """The request carries no bearer token, or one the server was not given (401)."""

    status = 401


class RateLimitError(ApiError):
    """The token sent more requests than its rate allows (429); ``retry_after`` is the number
    of seconds after which the next request is accepted."""

    status = 429

    def __init__(self, problem: str, fix: str = "", retry_after: float = 1.0) -> None:
        super().__init__(problem, fix)
        self.retry_after = retry_after


class RequestTooLargeError(ApiError):
    """A request is over one of the server's bounds: its body, its rows, or its conditions
    (413)."""

    status = 413


class UnknownDatasetError(ApiError):
    """The dataset named in a request is not configured in ``genesis.yaml`` (404)."""

    status = 404


class UnreadPromptError(ApiError):
    """Parts of a natural-language prompt could not be read into conditions (422): rows drawn
    without them would not be what was asked for."""

    status = 422


class ModelUnavailableError(ApiError):
    """The dataset is configured but no fitted model of it can be found or loaded (503):
    materialize its ``synthesis_model`` first."""

    status = 503


class ModelNotMaterializedError(ModelUnavailableError):
    """The dataset is configured, but its ``synthesis_model`` was never materialized (503)."""


class JobNotFoundError(ApiError):
    """No generation job has the given id for this token (404): it never existed, or it was
    dropped after the server's retention limit."""

    status = 404


class JobNotReadyError(ApiError):
    """The job's result was asked for before the job finished, or the job failed (409)."""

    status = 409


class ServerStoppingError(ApiError):
    """The server stopped while a job ran; the job failed and can be submitted again (503)."""

    status = 503


class UnsafeBindError(ConfigError):
    """The REST API was asked to listen on a non-loopback address with no bearer token
    configured, which would open the models to anyone on the network."""


# --- federated synthesis ------------------------------------------------------------------


class FederatedError(GenesisError):
    """Federated training could not proceed (see the subclasses)."""


class FederatedSchemaError(FederatedError, SchemaError):
    """Sites disagree on their columns or column types, or a column cannot be federated."""


class SiteTooSmallError(FederatedError, TooFewRowsError):
    """A site holds fewer rows than its ``SiteConfig.min_samples`` and refuses to train."""


class PrivacyBudgetExceededError(FederatedError):
    """A training run would spend more epsilon than a site's ``privacy_budget`` has left."""


class SiteDroppedError(FederatedError):
    """A site dropped out of secure aggregation and its masks could not be recovered."""


# --- pipelines ----------------------------------------------------------------------------


class PipelineError(GenesisError):
    """A pipeline (:mod:`genesis.pipeline`) is wrongly declared or could not run."""


class PipelineValidationError(PipelineError, ValueError):
    """``Pipeline.validate()`` found a mistake in the graph (see the subclasses)."""


class PipelineCycleError(PipelineValidationError):
    """The nodes' inputs form a cycle; the message names the nodes around it."""


class MissingInputError(PipelineValidationError):
    """A node names an input that is no node of the pipeline."""


class UnknownNodeTypeError(PipelineValidationError):
    """A node's ``node_type`` is not registered (built-in, subclass or dotted import path)."""


class SinkWithoutInputError(PipelineValidationError):
    """A sink node has no input to write."""


class SourceWithInputsError(PipelineValidationError):
    """A source node names inputs; sources read their table and take none."""


class DuplicateNodeError(PipelineValidationError):
    """Two nodes of one pipeline share a name."""


class PipelineDefinitionError(PipelineError, ConfigError):
    """A pipeline's YAML or a node's parameters are invalid; the message names the key/line."""


class NodeExecutionError(PipelineError):
    """A node failed while running; ``node`` names it and its dependents did not run."""

    def __init__(self, message: str, node: str | None = None) -> None:
        super().__init__(message)
        self.node = node


# --- devices (GPU generation) ---------------------------------------------------------------


class DeviceUnavailableError(GenesisError, RuntimeError):
    """A device was asked for by name (``"cuda"``, ``"cuda:1"``) that torch cannot see here;
    ``device="auto"`` falls back to the CPU with a logged reason instead."""


# --- chunked generation -------------------------------------------------------------------


class ChunkedOutputError(GenesisError):
    """A chunked output (``genesis.generators.chunked.generate_to``) cannot be written or
    completed (see the subclasses)."""


class DestinationConflictError(ChunkedOutputError, FileExistsError):
    """The destination already holds another output: a manifest or plan of different
    arguments, or files Genesis did not write. Choose an empty destination, or pass
    ``overwrite=True`` to replace a previous chunked output."""


class IncompleteOutputError(ChunkedOutputError):
    """A manifest was asked for while chunks are missing or hold the wrong number of rows;
    the message names them (regenerate them alone with ``write_chunk``)."""


class DestinationUnreachableError(ChunkedOutputError, DataWriteError, ConnectionError):
    """The destination's storage cannot be reached (a bucket that does not exist, a server
    that does not answer, refused credentials)."""


# --- scale-out: Dask clusters (genesis_resources.dask) ------------------------------------


class ClusterUnavailableError(GenesisError, ConnectionError):
    """The Dask scheduler at the configured address did not answer, or a local cluster could
    not start."""


class SiteConnectionError(FederatedError):
    """A site process and the aggregator could not reach each other (bad address, refused
    connection, TLS mismatch, a wrong site token)."""


class PrivacyLedgerError(FederatedError):
    """A site's privacy ledger file cannot be read (corrupt, another site's, or unwritable);
    it is never silently reset."""
