"""The ``genesis`` command line: ``genesis --help`` lists the commands.

One module per command group (``discover``, ``generate``, ``evaluate``, ``audit``,
``drift``, ``dashboard``, ``version``), assembled by :mod:`genesis.cli.app`. Heavy
libraries (pandas, torch, scikit-learn, plotly) load inside the commands, so ``--help``
answers at once.
"""

from genesis.cli.app import COMMAND_MODULES, app, build_app

__all__ = ["COMMAND_MODULES", "app", "build_app"]
