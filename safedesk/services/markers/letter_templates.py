"""Editable letter templates (resources/templates/*.md): placeholders and optional blocks.

Deliberately tiny, so an office manager can edit a template in Notepad: ``{{name}}`` is replaced
by a value; ``[[if name]]`` ... ``[[end]]`` keeps the lines between only when the value is
filled in (``[[if not name]]`` only when it is empty); ``<!-- ... -->`` is a note for editors.
A placeholder with no value is an error naming it, so a letter never goes out with a gap.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from safedesk import paths
from safedesk.services.shared.refusals import FieldProblem, InvalidInput

_COMMENT = re.compile(r"<!--.*?-->\s*", re.DOTALL)
_PLACEHOLDER = re.compile(r"\{\{\s*([a-z_][a-z0-9_]*)\s*\}\}")
_IF = re.compile(r"^\[\[if (not )?([a-z_][a-z0-9_]*)\]\]\s*$")
_END = re.compile(r"^\[\[end\]\]\s*$")


class TemplateError(ValueError):
    """The template file itself is malformed (unclosed block); names the file and line."""


def templates_dir() -> Path:
    return paths.resources_dir() / "templates"


def load_template(name: str, directory: Path | None = None) -> str:
    path = (directory or templates_dir()) / name
    return path.read_text(encoding="utf-8")


def _apply_blocks(text: str, values: Mapping[str, str], source: str) -> list[str]:
    kept: list[str] = []
    stack: list[bool] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if m := _IF.match(line.strip()):
            negate, name = bool(m.group(1)), m.group(2)
            filled = bool(str(values.get(name, "")).strip())
            stack.append(filled != negate)
            continue
        if _END.match(line.strip()):
            if not stack:
                raise TemplateError(f"{source}: line {number}: [[end]] without [[if ...]]")
            stack.pop()
            continue
        if all(stack):
            kept.append(line)
    if stack:
        raise TemplateError(f"{source}: an [[if ...]] block is not closed with [[end]]")
    return kept


def fill(template: str, values: Mapping[str, str], *, source: str = "template") -> str:
    """The template with every placeholder filled; InvalidInput names any value missing."""
    lines = _apply_blocks(_COMMENT.sub("", template), values, source)
    text = "\n".join(lines)
    missing = sorted(
        {
            m.group(1)
            for m in _PLACEHOLDER.finditer(text)
            if not str(values.get(m.group(1), "")).strip()
        }
    )
    if missing:
        raise InvalidInput(
            [FieldProblem(name, "needed by the letter template") for name in missing]
        )
    return _PLACEHOLDER.sub(lambda m: str(values[m.group(1)]).strip(), text).strip() + "\n"
