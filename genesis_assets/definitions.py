"""The Genesis code location: one asset chain per dataset in ``genesis.yaml``, and the assets
of the YAML pipelines it lists under ``pipelines:`` (genesis_assets/pipeline_assets.py).

``GENESIS_CONFIG`` names another configuration file; see :mod:`genesis_assets.config`.
"""

import dagster as dg

from genesis_assets.config import load_config
from genesis_assets.factory import build_definitions
from genesis_assets.pipeline_assets import load_pipelines_definitions

config = load_config()
defs = dg.Definitions.merge(build_definitions(config), load_pipelines_definitions(config))
