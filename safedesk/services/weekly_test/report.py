"""The printable weekly panic alarm test report for health-and-safety audits (PDF, fpdf2).

Per office: a summary, the year at a glance (buttons x weeks, gaps marked), the full test log
(who, when, press-to-screen latency, heard on a responder screen, result and notes) and a
sign-off block. Landscape A4, so the 52-week grid fits on one page.
"""

from __future__ import annotations

import logging
import statistics
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from safedesk.services.weekly_test.export import Gap, YearRecord
from safedesk.services.weekly_test.history import CellState, TestRecord
from safedesk.services.weekly_test.test_week import office_zone

# fontTools narrates every font subset at INFO; the report is not worth a page of log.
logging.getLogger("fontTools").setLevel(logging.WARNING)

# Unicode fonts when the machine has them (names with accents, the em dash); else core Helvetica.
_FONT_CANDIDATES = (
    (
        Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
        Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
    ),
    (Path("C:/Windows/Fonts/arial.ttf"), Path("C:/Windows/Fonts/arialbd.ttf")),
)

_CELL_COLOURS: dict[CellState, tuple[int, int, int]] = {
    CellState.PASS: (46, 160, 67),
    CellState.FAIL: (200, 30, 30),
    CellState.NOT_TESTED: (245, 166, 35),
    CellState.DUE: (190, 205, 230),
    CellState.FUTURE: (255, 255, 255),
    CellState.NOT_INSTALLED: (225, 225, 225),
}
_CELL_MARKS: dict[CellState, str] = {
    CellState.PASS: "",
    CellState.FAIL: "F",
    CellState.NOT_TESTED: "!",
    CellState.DUE: "",
    CellState.FUTURE: "",
    CellState.NOT_INSTALLED: "-",
}
_LEGEND = (
    (CellState.PASS, "passed"),
    (CellState.FAIL, "failed (F)"),
    (CellState.NOT_TESTED, "NOT TESTED (!)"),
    (CellState.DUE, "due this week"),
    (CellState.NOT_INSTALLED, "not installed yet (-)"),
    (CellState.FUTURE, "weeks to come"),
)


class _ReportPdf(FPDF):
    def __init__(self, title: str, generated: str) -> None:
        super().__init__(orientation="L", unit="mm", format="A4")
        self.report_title = title
        self.generated = generated
        self.unicode = False
        for regular, bold in _FONT_CANDIDATES:
            if regular.exists() and bold.exists():
                self.add_font("body", "", str(regular))
                self.add_font("body", "B", str(bold))
                self.unicode = True
                break
        self.family = "body" if self.unicode else "helvetica"
        self.set_auto_page_break(auto=True, margin=14)
        self.set_margins(10, 10, 10)

    def text_of(self, text: str) -> str:
        """Core fonts are Latin-1 only: swap what they cannot draw rather than fail the report."""
        if self.unicode:
            return text
        text = text.replace("\u2014", "-").replace("\u2013", "-").replace("\u2019", "'")
        return text.encode("latin-1", "replace").decode("latin-1")

    def footer(self) -> None:
        self.set_y(-10)
        self.set_font(self.family, "", 7)
        self.set_text_color(90, 90, 90)
        self.cell(0, 4, self.text_of(f"{self.report_title} · {self.generated}"), align="L")
        self.set_x(self.l_margin)
        self.cell(0, 4, f"Page {self.page_no()} of {{nb}}", align="R")
        self.set_text_color(0, 0, 0)


def _fmt_local(when: datetime | None, zone: ZoneInfo, fmt: str = "%d %b %H:%M:%S") -> str:
    return when.astimezone(zone).strftime(fmt) if when else ""


def _summary_lines(record: YearRecord) -> list[tuple[str, str]]:
    view = record.view
    latencies = [t.latency_ms for t in record.tests if t.latency_ms is not None]
    failed_tests = [t for t in record.tests if t.fail_reason is not None]
    lines = []
    if view.current is not None:
        lines.append(("This week", view.week_summary(view.current)))
    lines += [
        ("Panic buttons", str(len(view.rows))),
        ("Weeks so far", f"{view.weeks_elapsed} of {len(view.weeks)}"),
        ("Weeks with every button passed", str(view.weeks_complete)),
        ("Untested button-weeks (gaps)", str(view.gaps)),
        ("Tests recorded", str(len(record.tests))),
        ("Failed tests", str(len(failed_tests))),
        ("Tests done after the deadline (late)", str(sum(1 for t in record.tests if t.late))),
    ]
    if latencies:
        lines.append(
            (
                "Press-to-screen latency",
                f"median {statistics.median(latencies):.0f} ms, worst {max(latencies):.0f} ms",
            )
        )
    return lines


def _office_section(pdf: _ReportPdf, record: YearRecord, generated_at: datetime) -> None:
    view = record.view
    zone = office_zone(record.zone)
    pdf.add_page()
    pdf.set_font(pdf.family, "B", 16)
    pdf.cell(
        0, 9, pdf.text_of("Weekly panic alarm test record"), new_x=XPos.LMARGIN, new_y=YPos.NEXT
    )
    pdf.set_font(pdf.family, "", 11)
    pdf.cell(
        0,
        6,
        pdf.text_of(f"{view.office_name} — {view.year}"),
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    pdf.set_font(pdf.family, "", 8)
    pdf.set_text_color(70, 70, 70)
    pdf.multi_cell(
        0,
        4,
        pdf.text_of(
            "Procedure: panic alarms are to be tested at the beginning of each week. Each test "
            "records who tested, when, the measured press-to-screen latency, whether the alarm "
            "was heard on a responder screen, and the result. Times are local "
            f"({record.zone}). Generated {_fmt_local(generated_at, zone, '%d %b %Y %H:%M')}."
        ),
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    pdf.set_text_color(0, 0, 0)
    pdf.ln(2)

    # Summary, two columns of label/value.
    pdf.set_font(pdf.family, "", 9)
    for label, value in _summary_lines(record):
        pdf.cell(62, 5, pdf.text_of(label))
        pdf.set_font(pdf.family, "B", 9)
        pdf.cell(0, 5, pdf.text_of(value), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_font(pdf.family, "", 9)
    pdf.ln(3)
    _year_grid(pdf, record)
    _test_log(pdf, record.tests, record.gaps(), zone)
    _sign_off(pdf)


def _year_grid(pdf: _ReportPdf, record: YearRecord) -> None:
    view = record.view
    if not view.weeks:
        return
    label_w = 48.0
    cell_w = (pdf.w - pdf.l_margin - pdf.r_margin - label_w) / len(view.weeks)
    cell_h = 5.0
    pdf.set_font(pdf.family, "B", 10)
    pdf.cell(0, 6, pdf.text_of("Year at a glance"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    # Month names above the week where each month's first test day falls.
    pdf.set_font(pdf.family, "", 6.5)
    y = pdf.get_y()
    last_month = 0
    for i, week in enumerate(view.weeks):
        if week.week_start.month != last_month:
            last_month = week.week_start.month
            pdf.set_xy(pdf.l_margin + label_w + i * cell_w, y)
            pdf.cell(cell_w * 3, 3.5, week.week_start.strftime("%b"))
    pdf.set_xy(pdf.l_margin, y + 3.5)
    pdf.cell(label_w, 3.5, pdf.text_of("Room / week of (test day)"))
    for i, week in enumerate(view.weeks):
        # Every column says its own date, so "this week" is found by date, not by counting.
        current = i == view.current
        pdf.set_font(pdf.family, "B" if current else "", 6.5 if current else 5.5)
        pdf.cell(cell_w, 3.5, str(week.week_start.day), align="C")
    pdf.set_font(pdf.family, "", 6.5)
    pdf.ln(3.5)
    grid_top = pdf.get_y()
    pdf.set_draw_color(150, 150, 150)
    for row in view.rows:
        if pdf.will_page_break(cell_h):
            pdf.add_page()
        pdf.set_font(pdf.family, "", 7.5)
        pdf.cell(label_w, cell_h, pdf.text_of(row.room_name[:32]), border=1)
        pdf.set_font(pdf.family, "B", 6.5)
        for cell in row.cells:
            r, g, b = _CELL_COLOURS[cell.state]
            pdf.set_fill_color(r, g, b)
            pdf.set_text_color(
                255, 255, 255
            ) if cell.state is CellState.FAIL else pdf.set_text_color(0, 0, 0)
            mark = _CELL_MARKS[cell.state]
            if cell.state is CellState.PASS and cell.retested:
                mark = "r"
            if cell.late:
                mark = "L" if cell.state is CellState.PASS else mark + "L"
            pdf.cell(cell_w, cell_h, mark, border=1, fill=True, align="C")
        pdf.set_text_color(0, 0, 0)
        pdf.ln(cell_h)
    if view.current is not None and view.rows and pdf.get_y() > grid_top:
        # This week outlined (on the grid's last page: a grid split over pages is rare).
        top = grid_top if pdf.get_y() - grid_top <= cell_h * len(view.rows) else pdf.t_margin
        pdf.set_draw_color(20, 40, 120)
        pdf.set_line_width(0.6)
        x = pdf.l_margin + label_w + view.current * cell_w
        pdf.rect(x, top, cell_w, pdf.get_y() - top)
        pdf.set_line_width(0.2)
        pdf.set_draw_color(0, 0, 0)
    pdf.ln(1.5)
    pdf.set_font(pdf.family, "", 7.5)
    for state, label in _LEGEND:
        r, g, b = _CELL_COLOURS[state]
        pdf.set_fill_color(r, g, b)
        pdf.cell(4, 3.5, "", border=1, fill=True)
        pdf.cell(32, 3.5, pdf.text_of(" " + label))
    pdf.ln(4.5)  # the letters' key on a line of its own: it never runs off the page
    pdf.cell(
        0,
        3.5,
        pdf.text_of(
            "r = failed, then passed on retest; L = tested after the deadline (late); "
            "outlined = this week"
        ),
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    pdf.ln(4)


_LOG_COLUMNS = (
    ("Week of", 18.0),
    ("Room", 34.0),
    ("Tester", 32.0),
    ("Started", 26.0),
    ("Latency", 15.0),
    ("Heard", 30.0),
    ("Result", 30.0),
    ("Notes", 0.0),  # the rest of the line
)


def _log_header(pdf: _ReportPdf, widths: list[float]) -> None:
    pdf.set_font(pdf.family, "B", 8)
    pdf.set_fill_color(230, 230, 230)
    for (title, _), width in zip(_LOG_COLUMNS, widths, strict=True):
        pdf.cell(width, 5, title, border=1, fill=True)
    pdf.ln(5)
    pdf.set_font(pdf.family, "", 7.5)


def _line_count(pdf: _ReportPdf, text: str, width: float, line_h: float) -> int:
    if pdf.get_string_width(text) <= width - 1:
        return 1  # the common case, without fpdf's (slow) dry-run layout
    wrapped = pdf.multi_cell(width, line_h, text, dry_run=True, output="LINES")
    assert isinstance(wrapped, list)
    return max(1, len(wrapped))


def _test_row(test: TestRecord, zone: ZoneInfo) -> list[str]:
    heard = {True: "yes", False: f"NO, not on {test.not_heard_screen or '?'}", None: ""}[
        test.heard_on_responder
    ]
    notes = (test.notes or "").replace("\n", " ")
    if test.late and test.overdue_from is not None:
        deadline = _fmt_local(test.overdue_from - timedelta(minutes=1), zone, "%a %d %b %H:%M")
        notes = f"Late: the deadline was {deadline}. {notes}".strip()
    return [
        test.week_start.strftime("%d %b"),
        test.room_name,
        test.tester_name,
        _fmt_local(test.started_at, zone),
        f"{test.latency_ms:.0f} ms" if test.latency_ms is not None else "",
        heard,
        test.result_text,
        notes,
    ]


def _gap_row(gap: Gap) -> list[str]:
    return [
        gap.week.week_start.strftime("%d %b"),
        gap.room_name,
        "",
        "",
        "",
        "",
        "NOT TESTED",
        "No test recorded for this button this week.",
    ]


def _test_log(
    pdf: _ReportPdf, tests: tuple[TestRecord, ...], gaps: list[Gap], zone: ZoneInfo
) -> None:
    """Every test and every untested button-week, in week order: a gap is a row, not silence."""
    pdf.set_font(pdf.family, "B", 10)
    pdf.cell(
        0,
        6,
        pdf.text_of("Test log: every test, and every week a button was not tested"),
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    if not tests and not gaps:
        pdf.set_font(pdf.family, "", 9)
        pdf.cell(0, 5, "No tests recorded this year.", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        return
    # Week order; in a week, its tests as they were started, then its gaps by room.
    entries: list[tuple[tuple[date, int, float, str], list[str]]] = [
        ((t.week_start, 0, t.started_at.timestamp(), f"{t.test_id:012d}"), _test_row(t, zone))
        for t in tests
    ]
    entries += [((g.week.week_start, 1, 0.0, g.room_name), _gap_row(g)) for g in gaps]
    entries.sort(key=lambda e: e[0])
    fixed = sum(w for _, w in _LOG_COLUMNS)
    widths = [w or (pdf.w - pdf.l_margin - pdf.r_margin - fixed) for _, w in _LOG_COLUMNS]
    _log_header(pdf, widths)
    for _key, values in entries:
        texts = [pdf.text_of(v) for v in values]
        line_h = 4.0
        lines = [_line_count(pdf, t, w - 1, line_h) for t, w in zip(texts, widths, strict=True)]
        row_h = line_h * max(lines) + 1
        if pdf.will_page_break(row_h):
            pdf.add_page()
            _log_header(pdf, widths)
        result = values[6]
        warn = result.startswith(("FAIL", "NOT TESTED")) or "LATE" in result
        x, y0 = pdf.l_margin, pdf.get_y()
        for i, (text, width) in enumerate(zip(texts, widths, strict=True)):
            pdf.rect(x, y0, width, row_h)
            if i == 6 and warn:
                red = result.startswith("FAIL")
                pdf.set_text_color(*((180, 0, 0) if red else (150, 80, 0)))
                pdf.set_font(pdf.family, "B", 7.5)
            pdf.set_xy(x + 0.5, y0 + 0.5)
            pdf.multi_cell(width - 1, line_h, text, align="L")
            pdf.set_text_color(0, 0, 0)
            pdf.set_font(pdf.family, "", 7.5)
            x += width
        pdf.set_xy(pdf.l_margin, y0 + row_h)


def _sign_off(pdf: _ReportPdf) -> None:
    if pdf.will_page_break(28):
        pdf.add_page()
    pdf.ln(6)
    pdf.set_font(pdf.family, "B", 10)
    pdf.cell(0, 6, "Reviewed", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(pdf.family, "", 9)
    for label in ("Name and job title", "Signature", "Date"):
        pdf.cell(40, 9, label)
        pdf.cell(110, 9, "", border="B", new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def render_report(records: list[YearRecord], generated_at: datetime) -> bytes:
    """The report for one or more offices as PDF bytes."""
    if not records:
        raise ValueError("no office to report on")
    year = records[0].view.year
    title = f"SafeDesk weekly panic alarm test record {year}"
    generated = f"generated {generated_at:%Y-%m-%d %H:%M} UTC"
    pdf = _ReportPdf(title, generated)
    pdf.set_title(title)
    pdf.set_creator("SafeDesk")
    for record in records:
        _office_section(pdf, record, generated_at)
    return bytes(pdf.output())


def write_report(records: list[YearRecord], generated_at: datetime, path: Path) -> None:
    path.write_bytes(render_report(records, generated_at))
