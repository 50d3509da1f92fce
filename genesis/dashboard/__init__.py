"""Quality dashboards: a self-contained HTML (or PDF) report and a live Dash server.

``QualityDashboard(real, synthetic, target="income").save_report("report.html")`` writes one
file that opens offline: per-column distributions, association heatmaps, the strongest pairs,
ML utility, the privacy summary and, when given, the drift table, under a one-line verdict.
``InteractiveDashboard(real, synthetic).run()`` serves a page to pick columns and compare them.
"""

from genesis.dashboard.interactive import InteractiveDashboard
from genesis.dashboard.report import QualityDashboard, create_dashboard

__all__ = ["InteractiveDashboard", "QualityDashboard", "create_dashboard"]
