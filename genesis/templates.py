"""HTML through Jinja2: the one environment every report (dashboard, drift, privacy audit)
renders its templates with.

Each package keeps its templates in its own ``templates/`` folder; values are HTML-escaped
(autoescape) and an undefined name is an error, never a blank.
"""

from __future__ import annotations

import functools
from typing import Any


@functools.cache
def _environment(package: str):
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader(package, "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render(package: str, template: str, **context: Any) -> str:
    """``package``'s ``templates/<template>`` rendered with ``context``."""
    return _environment(package).get_template(template).render(**context)


__all__ = ["render"]
