"""The ``genesis`` command line: ``genesis --help`` lists the commands.

Heavy libraries (pandas, torch, scikit-learn, plotly) load inside the commands, so ``--help``
answers at once.
"""

from genesis.cli.main import app

__all__ = ["app"]
