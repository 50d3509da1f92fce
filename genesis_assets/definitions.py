"""The Genesis code location: one asset chain per dataset in ``genesis.yaml``.

``GENESIS_CONFIG`` names another configuration file; see :mod:`genesis_assets.config`.
"""

from genesis_assets.config import load_config
from genesis_assets.factory import build_definitions

defs = build_definitions(load_config())
