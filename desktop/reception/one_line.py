"""A table cell shown on one line and cut short with "…", so typed data never widens a table.

A 268-character walk-in name once pushed the flag column off every reception screen; names
are now drawn on one line within their column, and the whole text is in the cell's tooltip.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import QStyledItemDelegate, QStyleOptionViewItem


class OneLineDelegate(QStyledItemDelegate):
    """Draws a cell on one line, elided at the right."""

    def initStyleOption(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        super().initStyleOption(option, index)
        option.features &= ~QStyleOptionViewItem.ViewItemFeature.WrapText
        option.textElideMode = Qt.TextElideMode.ElideRight
