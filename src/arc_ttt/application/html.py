"""HTML through Jinja2: the templates shipped in ``arc_ttt/templates`` (package data), rendered
with autoescape on, so every string a template shows from data is escaped."""

from __future__ import annotations

from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined


@cache
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("arc_ttt", "templates"),
        autoescape=True,
        undefined=StrictUndefined,  # a value the template names but is not given is an error
        keep_trailing_newline=True,
    )


def render(template: str, **context: Any) -> str:
    """The template ``template`` (a file name in ``arc_ttt/templates``) filled with ``context``."""
    return _environment().get_template(template).render(**context)
