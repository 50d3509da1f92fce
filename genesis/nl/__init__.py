"""Plain-language requests for synthetic data: ``interpret`` reads "1000 women over 50 in
California" against a dataset's schema into a count and a typed ``ConditionSet``;
``clarify`` asks only what it must (no count, a term naming two columns, a value not in the
data, conditions of zero probability under the model) and merges the answers of a session.
"""

from genesis.nl.clarify import Clarification, ClarificationSessions, clarify
from genesis.nl.interpret import Interpretation, interpret, validate_interpretation

__all__ = [
    "Clarification",
    "ClarificationSessions",
    "Interpretation",
    "clarify",
    "interpret",
    "validate_interpretation",
]
