"""Quality dashboards: a self-contained HTML (or PDF) report and a live Dash server.

``QualityDashboard(real_data, synthetic_data, target="income").save_report("report.html")``
writes one file that opens offline: the "can this be shared?" verdict first
(:mod:`genesis.verdict`), then per-column distributions, association heatmaps, the strongest
pairs as 2-D densities, ML utility, the privacy audit and, when given, the drift of each
column, and the scenarios given (:func:`scenario_summary`). Real data appears only as
aggregates unless ``show_real_points=True``.
``InteractiveDashboard(real_data, synthetic_data).run()`` serves a page to pick columns and
compare them.
"""

from genesis.dashboard.interactive import InteractiveDashboard
from genesis.dashboard.report import QualityDashboard, create_dashboard
from genesis.dashboard.scenarios import scenario_summary

__all__ = ["InteractiveDashboard", "QualityDashboard", "create_dashboard", "scenario_summary"]
