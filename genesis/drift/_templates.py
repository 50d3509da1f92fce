"""The drift report's HTML, rendered from the Jinja2 templates in ``templates/``."""

from __future__ import annotations

import functools
from typing import Any

import jinja2


@functools.cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("genesis.drift", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render(template: str, **context: Any) -> str:
    """The named template rendered with ``context`` (every value HTML-escaped)."""
    return _environment().get_template(template).render(**context)
