"""The year at a glance: every button x every test week, so a missed week stands out.

A painted grid (green pass, red fail, amber "!" gap), a summary line, and export of the same
record as CSV or as the printable PDF report for health-and-safety audits.
"""

from __future__ import annotations

import html
import io
from pathlib import Path
from zoneinfo import ZoneInfo

from PySide6.QtCore import QPoint, QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from safedesk.clock import Clock
from safedesk.db import DatabaseUnavailable
from safedesk.plural import plural
from safedesk.services.weekly_test.desk import WeeklyTestDesk
from safedesk.services.weekly_test.export import YearRecord, write_csv
from safedesk.services.weekly_test.history import CellState, YearView
from safedesk.services.weekly_test.refusals import WeeklyTestRefused
from safedesk.services.weekly_test.report import render_report

DETAIL_COLUMNS = ("Started", "Tester", "Press to screen", "Heard", "Result", "Notes")
THIS_WEEK = QColor("#14287a")  # the outline and date of the week we are in

CELL_COLOURS: dict[CellState, str] = {
    CellState.PASS: "#2ea043",
    CellState.FAIL: "#c81e1e",
    CellState.NOT_TESTED: "#f5a623",
    CellState.DUE: "#bccde6",
    CellState.FUTURE: "#ffffff",
    CellState.NOT_INSTALLED: "#e1e1e1",
}
CELL_MARKS: dict[CellState, str] = {
    CellState.FAIL: "F",
    CellState.NOT_TESTED: "!",
    CellState.NOT_INSTALLED: "-",
}
CELL_WORDS: dict[CellState, str] = {
    CellState.PASS: "passed",
    CellState.FAIL: "FAILED",
    CellState.NOT_TESTED: "NOT TESTED",
    CellState.DUE: "due this week",
    CellState.FUTURE: "future",
    CellState.NOT_INSTALLED: "not installed yet",
}


class YearGrid(QWidget):
    """Paints a ``YearView``; hover a cell for the week, the button and what happened.

    Signals:
        cell_clicked(int, int): (row, week column) clicked; column -1 for the room name.
    """

    cell_clicked = Signal(int, int)

    LABEL_W = 170
    CELL = 17
    HEADER_H = 30

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view: YearView | None = None
        self.setMouseTracking(True)

    def set_view(self, view: YearView) -> None:
        self.view = view
        self.updateGeometry()
        self.update()

    def sizeHint(self) -> QSize:
        weeks = len(self.view.weeks) if self.view else 52
        rows = len(self.view.rows) if self.view else 8
        return QSize(self.LABEL_W + weeks * self.CELL + 4, self.HEADER_H + rows * self.CELL + 4)

    def minimumSizeHint(self) -> QSize:
        return self.sizeHint()

    def cell_at(self, pos: QPoint) -> tuple[int, int] | None:
        if self.view is None:
            return None
        col = (pos.x() - self.LABEL_W) // self.CELL
        row = (pos.y() - self.HEADER_H) // self.CELL
        if pos.x() < self.LABEL_W or pos.y() < self.HEADER_H:
            return None
        if 0 <= row < len(self.view.rows) and 0 <= col < len(self.view.weeks):
            return row, col
        return None

    def mousePressEvent(self, event: QMouseEvent) -> None:
        pos = event.position().toPoint()
        hit = self.cell_at(pos)
        if hit is not None:
            self.cell_clicked.emit(*hit)
        elif self.view is not None and pos.x() < self.LABEL_W and pos.y() >= self.HEADER_H:
            row = (pos.y() - self.HEADER_H) // self.CELL
            if 0 <= row < len(self.view.rows):
                self.cell_clicked.emit(row, -1)
        super().mousePressEvent(event)

    def header_labels(self) -> list[tuple[QRect, str]]:
        """What the header shows and where: month names, then every test day's date.

        Every column carries its own date (the test day, as the checklist names the week), so
        this week is found by its date rather than by counting columns.
        """
        if self.view is None:
            return []
        labels: list[tuple[QRect, str]] = []
        last_month = 0
        for col, week in enumerate(self.view.weeks):
            x = self.LABEL_W + col * self.CELL
            if week.week_start.month != last_month:
                last_month = week.week_start.month
                labels.append((QRect(x, 0, 40, 14), f"{week.week_start:%b}"))
            labels.append((QRect(x, 14, self.CELL, 14), str(week.week_start.day)))
        return labels

    def column_rect(self, col: int) -> QRect:
        """The whole column of one week, header date included."""
        rows = len(self.view.rows) if self.view else 0
        return QRect(self.LABEL_W + col * self.CELL, 14, self.CELL, 14 + rows * self.CELL)

    def cell_rect(self, row: int, col: int) -> QRect:
        return QRect(
            self.LABEL_W + col * self.CELL, self.HEADER_H + row * self.CELL, self.CELL, self.CELL
        )

    def cell_mark(self, row: int, col: int) -> str:
        """The letter drawn in a cell: F failed, ! not tested, r retested, L late, - not installed."""
        assert self.view is not None
        cell = self.view.rows[row].cells[col]
        mark = "r" if cell.retested else CELL_MARKS.get(cell.state, "")
        if cell.late:
            mark = "L" if cell.state is CellState.PASS else mark + "L"
        return mark

    def cell_text(self, row: int, col: int) -> str:
        assert self.view is not None
        cell = self.view.rows[row].cells[col]
        week = self.view.weeks[col]
        this_week = " (this week)" if col == self.view.current else ""
        text = f"{self.view.rows[row].room_name}, {week.label}{this_week}: {CELL_WORDS[cell.state]}"
        if cell.fail_reason is not None:
            text += f" ({cell.fail_reason.value.replace('_', ' ')})"
        if cell.retested:
            text += " (failed first, passed on retest)"
        if cell.late:
            text += " LATE: tested after the deadline"
        return text

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        hit = self.cell_at(event.position().toPoint())
        if hit is None:
            QToolTip.hideText()
        else:
            QToolTip.showText(event.globalPosition().toPoint(), self.cell_text(*hit), self)
        super().mouseMoveEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        if self.view is None:
            return
        p = QPainter(self)
        p.fillRect(self.rect(), QColor("white"))
        small = QFont(self.font())
        small.setPointSizeF(7.5)
        bold = QFont(small)
        bold.setBold(True)
        tiny = QFont(small)
        tiny.setPointSizeF(6.5)
        current = self.view.current
        if current is not None:  # this week's date stands out: white on dark blue
            p.fillRect(QRect(self.LABEL_W + current * self.CELL, 14, self.CELL, 14), THIS_WEEK)
        for rect, text in self.header_labels():
            is_day = rect.top() == 14
            on_current = (
                is_day and current is not None and rect.left() == self.cell_rect(0, current).left()
            )
            p.setFont(tiny if is_day else small)
            p.setPen(QColor("white" if on_current else "#333333"))
            align = Qt.AlignmentFlag.AlignHCenter if is_day else Qt.AlignmentFlag.AlignLeft
            p.drawText(rect, align | Qt.AlignmentFlag.AlignVCenter, text)
        grid = QPen(QColor("#9a9a9a"))
        for row, year_row in enumerate(self.view.rows):
            y = self.HEADER_H + row * self.CELL
            p.setPen(QColor("#111111"))
            p.setFont(small)
            p.drawText(
                QRect(2, y, self.LABEL_W - 6, self.CELL),
                Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                year_row.room_name,
            )
            p.setFont(bold)
            for col, cell in enumerate(year_row.cells):
                rect = QRect(self.LABEL_W + col * self.CELL, y, self.CELL, self.CELL)
                p.fillRect(rect, QColor(CELL_COLOURS[cell.state]))
                p.setPen(grid)
                p.drawRect(rect)
                mark = self.cell_mark(row, col)
                if mark:
                    p.setPen(QColor("white" if cell.state is CellState.FAIL else "black"))
                    p.drawText(rect, Qt.AlignmentFlag.AlignCenter, mark)
        if current is not None and self.view.rows:
            outline = QPen(THIS_WEEK)
            outline.setWidth(3)
            p.setPen(outline)
            p.drawRect(self.column_rect(current).adjusted(1, 1, -1, -1))
        p.end()


class YearViewPanel(QWidget):
    """Year selector, summary, the grid, legend and export buttons for one office."""

    def __init__(
        self, desk: WeeklyTestDesk, office_id: int, clock: Clock, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.desk = desk
        self.office_id = office_id
        self.clock = clock
        self.record: YearRecord | None = None
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        self.title = QLabel()
        self.title.setStyleSheet("font-size:14pt; font-weight:bold;")
        top.addWidget(self.title)
        top.addStretch(1)
        top.addWidget(QLabel("Year"))
        self.year = QSpinBox()
        self.year.setRange(2000, 2999)
        # The year of this week's test day (the week of Mon 28 Dec is in the old year's grid).
        try:
            self.year.setValue(desk.current_year(office_id))
        except (WeeklyTestRefused, DatabaseUnavailable):
            self.year.setValue(clock.now().year)  # refresh() below says what went wrong
        top.addWidget(self.year)
        self.csv_button = QPushButton("Export CSV…")
        self.pdf_button = QPushButton("Export PDF report…")
        top.addWidget(self.csv_button)
        top.addWidget(self.pdf_button)
        layout.addLayout(top)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.grid = YearGrid()
        scroll = QScrollArea()
        scroll.setWidget(self.grid)
        scroll.setWidgetResizable(False)
        layout.addWidget(scroll, 1)
        self.details_title = QLabel("Click a week to see its tests, or a room for its history.")
        self.details_title.setStyleSheet("font-weight:bold;")
        layout.addWidget(self.details_title)
        self.details = QTableWidget(0, len(DETAIL_COLUMNS))
        self.details.setHorizontalHeaderLabels(DETAIL_COLUMNS)
        self.details.verticalHeader().setVisible(False)
        self.details.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.details.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents
        )
        self.details.horizontalHeader().setStretchLastSection(True)
        self.details.setMaximumHeight(180)
        layout.addWidget(self.details)
        self.grid.cell_clicked.connect(self.show_details)
        legend = QHBoxLayout()
        for state in (
            CellState.PASS,
            CellState.FAIL,
            CellState.NOT_TESTED,
            CellState.DUE,
            CellState.NOT_INSTALLED,
        ):
            swatch = QLabel(CELL_MARKS.get(state, ""))
            swatch.setFixedSize(16, 16)
            swatch.setAlignment(Qt.AlignmentFlag.AlignCenter)
            swatch.setStyleSheet(
                f"background:{CELL_COLOURS[state]}; border:1px solid #888; font-weight:bold;"
            )
            legend.addWidget(swatch)
            legend.addWidget(QLabel(CELL_WORDS[state] + "   "))
        legend.addWidget(
            QLabel("r = failed, then passed on retest · L = tested after the deadline (late)")
        )
        this_week = QLabel("this week")
        this_week.setStyleSheet(
            f"color:white; background:{THIS_WEEK.name()}; padding:0 4px; font-weight:bold;"
        )
        legend.addWidget(this_week)
        legend.addStretch(1)
        layout.addLayout(legend)
        self.message = QLabel()
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        self.year.valueChanged.connect(lambda _v: self.refresh())
        self.csv_button.clicked.connect(self._on_csv)
        self.pdf_button.clicked.connect(self._on_pdf)
        self.refresh()

    def refresh(self) -> None:
        try:
            record = self.desk.year_record(self.office_id, self.year.value())
        except (WeeklyTestRefused, DatabaseUnavailable) as exc:
            self.message.setText(str(exc))
            return
        self.record = record
        view = record.view
        self.title.setText(f"{view.office_name}: weekly alarm tests {view.year}")
        this_week = (
            f"<b>This week — {html.escape(view.week_summary(view.current))}.</b><br>"
            if view.current is not None
            else ""
        )
        self.summary.setText(
            f"{this_week}{plural(len(view.rows), 'button')}. Weeks so far: "
            f"{view.weeks_elapsed} of {len(view.weeks)}; "
            f"every button passed in {view.weeks_complete}. "
            f"<b style='color:#b35c00'>Untested button-weeks: {view.gaps}</b>; "
            f"<b style='color:#c00000'>failed: {view.fails}</b>."
        )
        self.grid.set_view(view)
        self.grid.resize(self.grid.sizeHint())

    def show_details(self, row: int, col: int) -> None:
        """A week's tests for one button (col >= 0), or that button's whole history (col -1)."""
        if self.record is None:
            return
        year_row = self.record.view.rows[row]
        try:
            history = self.desk.device_history(year_row.device_pk)
        except DatabaseUnavailable as exc:
            self.message.setText(str(exc))
            return
        if col >= 0:
            week = self.record.view.weeks[col]
            history = [t for t in history if t.week_start == week.week_start]
            self.details_title.setText(f"{year_row.room_name}, {week.label}")
        else:
            self.details_title.setText(f"{year_row.room_name}: every test, newest first")
        zone = ZoneInfo(self.record.zone)
        self.details.setRowCount(max(1, len(history)))
        if not history:
            self.details.setItem(0, 0, QTableWidgetItem("No test recorded"))
            for c in range(1, len(DETAIL_COLUMNS)):
                self.details.setItem(0, c, QTableWidgetItem(""))
            return
        for r, test in enumerate(history):
            heard = {True: "yes", False: f"NO ({test.not_heard_screen or '?'})", None: ""}
            values = (
                test.started_at.astimezone(zone).strftime("%a %d %b %Y %H:%M"),
                test.tester_name,
                f"{test.latency_ms:.0f} ms" if test.latency_ms is not None else "",
                heard[test.heard_on_responder],
                test.result_text,
                (test.notes or "").replace("\n", " "),
            )
            for c, value in enumerate(values):
                item = QTableWidgetItem(value)
                if c == 4 and value.startswith("FAIL"):
                    item.setForeground(QColor("#c00000"))
                self.details.setItem(r, c, item)

    def export_csv(self, path: Path) -> None:
        assert self.record is not None
        buffer = io.StringIO()
        rows = write_csv([self.record], buffer)
        path.write_bytes(buffer.getvalue().encode("utf-8-sig"))
        self.message.setText(f"Saved {rows} rows to {path}")

    def export_pdf(self, path: Path) -> None:
        assert self.record is not None
        path.write_bytes(render_report([self.record], self.clock.now()))
        self.message.setText(f"Saved the report to {path}")

    def _save(self, caption: str, suffix: str, write: object) -> None:
        if self.record is None:
            return
        default = f"alarm-tests-{self.record.view.year}.{suffix}"
        name, _ = QFileDialog.getSaveFileName(self, caption, default, f"*.{suffix}")
        if not name:
            return
        try:
            assert callable(write)
            write(Path(name))
        except OSError as exc:
            self.message.setText(f"Could not save {name}: {exc.strerror or exc}")

    def _on_csv(self) -> None:
        self._save("Export weekly test record (CSV)", "csv", self.export_csv)

    def _on_pdf(self) -> None:
        self._save("Export weekly test report (PDF)", "pdf", self.export_pdf)
