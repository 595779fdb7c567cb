"""A4 letters as PDF (fpdf2): letterhead, recipient, date and reference, body, signature.

Uses fpdf2's built-in Helvetica so no font files are needed on any PC; text outside Latin-1
(curly quotes, dashes, other scripts) is mapped to its nearest plain form rather than dropped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from fpdf import FPDF
from fpdf.enums import XPos, YPos
from unidecode import unidecode

BODY_PT = 10.5
LINE = 5.0  # mm between lines of body text
GAP = 2.4  # mm between paragraphs

_PLAIN = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2026": "...",
    }
)


@dataclass(frozen=True)
class Letter:
    office_name: str
    office_address: str
    office_phone: str | None
    sent_on: date
    reference: str
    recipient_name: str
    recipient_address: tuple[str, ...]
    body: str  # a filled template: "# heading", paragraphs, "- bullets", **bold**
    signatory_name: str
    signatory_title: str
    marking: str = "PRIVATE AND CONFIDENTIAL"


class _LetterPdf(FPDF):
    """Every page after the first carries the reference and page number, in case pages part."""

    def __init__(self, reference: str) -> None:
        super().__init__(format="A4")
        self.reference = reference

    def footer(self) -> None:
        if self.pages_count < 2:
            return
        self.set_y(-12)
        self.set_font("Helvetica", "", 8)
        self.cell(0, 5, latin1(f"{self.reference}   page {self.page_no()} of {{nb}}"), align="R")


def latin1(text: str) -> str:
    text = text.translate(_PLAIN)
    return "".join(ch if ord(ch) < 256 else unidecode(ch) for ch in text)


def long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def _paragraphs(body: str) -> list[list[str]]:
    blocks: list[list[str]] = [[]]
    for line in body.splitlines():
        if line.strip():
            blocks[-1].append(line.rstrip())
        elif blocks[-1]:
            blocks.append([])
    return [b for b in blocks if b]


def render_pdf(letter: Letter) -> bytes:
    pdf = _LetterPdf(letter.reference)
    pdf.set_margins(22, 15, 22)
    pdf.set_auto_page_break(True, margin=18)
    pdf.set_title(latin1(f"{letter.reference} {letter.recipient_name}"))
    pdf.set_author(latin1(letter.office_name))
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin

    # Letterhead, right-aligned.
    pdf.set_font("Helvetica", "B", 13)
    pdf.cell(width, 7, latin1(letter.office_name), align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("Helvetica", "", 9.5)
    phone = f"Telephone {letter.office_phone}" if letter.office_phone else ""
    for part in (letter.office_address, phone):
        if part.strip():
            pdf.cell(
                width, 4.6, latin1(part.strip()), align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT
            )
    pdf.set_draw_color(150, 20, 20)
    pdf.set_line_width(0.6)
    pdf.line(pdf.l_margin, pdf.get_y() + 2, pdf.w - pdf.r_margin, pdf.get_y() + 2)
    pdf.ln(6)

    pdf.set_font("Helvetica", "B", 9)
    pdf.cell(width, 5, latin1(letter.marking), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("Helvetica", "", 11)
    for line in (letter.recipient_name, *letter.recipient_address):
        if line.strip():
            pdf.cell(width, 5.4, latin1(line.strip()), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(6)
    pdf.set_font("Helvetica", "", 10)
    pdf.cell(
        width, 5, latin1(f"Date: {long_date(letter.sent_on)}"), new_x=XPos.LMARGIN, new_y=YPos.NEXT
    )
    pdf.cell(
        width, 5, latin1(f"Our reference: {letter.reference}"), new_x=XPos.LMARGIN, new_y=YPos.NEXT
    )
    pdf.ln(6)

    blocks = _paragraphs(letter.body)
    sign_off: str | None = None
    if blocks and len(blocks[-1]) == 1 and blocks[-1][0].lower().startswith("yours"):
        sign_off = blocks.pop()[0]
    for block in blocks:
        first = block[0]
        if first.startswith("# "):
            pdf.set_font("Helvetica", "B", 12.5)
            pdf.multi_cell(width, 6.5, latin1(first[2:]), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            pdf.ln(3)
            block = block[1:]
            if not block:
                continue
        pdf.set_font("Helvetica", "", BODY_PT)
        if all(line.lstrip().startswith("- ") for line in block):
            for line in block:
                pdf.set_x(pdf.l_margin + 4)
                pdf.cell(5, LINE, "-")
                pdf.multi_cell(
                    width - 9,
                    LINE,
                    latin1(line.lstrip()[2:]),
                    markdown=True,
                    new_x=XPos.LMARGIN,
                    new_y=YPos.NEXT,
                )
            pdf.ln(GAP)
            continue
        # Consecutive lines are one paragraph (as in Markdown), so an optional block continues it.
        text = " ".join(line.strip() for line in block)
        pdf.multi_cell(
            width, LINE, latin1(text), markdown=True, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )
        pdf.ln(GAP)

    if pdf.get_y() + 4 * LINE + 14 > pdf.h - pdf.b_margin:
        pdf.add_page()  # the sign-off and the signature stay together
    pdf.set_font("Helvetica", "", BODY_PT)
    if sign_off:
        pdf.cell(width, LINE, latin1(sign_off), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(12)
    pdf.set_font("Helvetica", "B", BODY_PT)
    pdf.cell(width, LINE, latin1(letter.signatory_name), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("Helvetica", "", BODY_PT)
    pdf.cell(width, LINE, latin1(letter.signatory_title), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    return bytes(pdf.output())
