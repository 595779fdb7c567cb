"""Typed data placed in a rich-text label: shown as written, never read as markup.

A visitor called "<b>Smith" or a note with "&" must appear exactly so; quotes and apostrophes
(O'Neill, "Call Tom") are left as they are, since they are safe outside attributes.
"""

from __future__ import annotations

import html


def plain(value: str) -> str:
    """``value`` as text inside rich text: <, > and & escaped, nothing else changed."""
    return html.escape(value, quote=False)
