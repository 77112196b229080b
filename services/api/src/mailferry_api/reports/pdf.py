"""The job report as a PDF (fpdf2, DejaVu fonts: any Unicode the report holds renders).

Pure apart from reading the two font files; CPU-bound, so callers run it in a thread.
"""

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from fpdf import FPDF
from fpdf.fonts import FontFace

from mailferry_api.reports.schemas import ReportOut

REGULAR = "DejaVuSans.ttf"
BOLD = "DejaVuSans-Bold.ttf"
_FAMILY = "DejaVu"
_HEAD = FontFace(emphasis="BOLD", fill_color=(230, 236, 245))
MAX_PDF_MAILBOXES = 2000
"""fpdf2 is pure Python (about 1.3 s per 1,000 rows, holding the GIL): the JSON lists them all."""
_STATUS_COLOURS = {"fail": (190, 30, 45), "warn": (170, 110, 0), "pass": (20, 120, 60)}


class FontsMissingError(RuntimeError):
    """The DejaVu fonts are not where the settings say."""


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else "—"


def _num(value: float | None, pattern: str = "{:,}") -> str:
    return "—" if value is None else pattern.format(value)


class _Pdf(FPDF):
    def __init__(self, fonts: Path, title: str) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        for style, name in (("", REGULAR), ("B", BOLD)):
            path = fonts / name
            if not path.is_file():
                raise FontsMissingError(
                    f"{path} not found: install fonts-dejavu-core or set MIGRATION_REPORT_FONT_DIR"
                )
            self.add_font(_FAMILY, style, str(path))
        self.report_title = title
        self.set_title(title)
        self.set_author("mailferry")
        self.set_auto_page_break(auto=True, margin=15)
        self.alias_nb_pages()

    def header(self) -> None:
        self.set_font(_FAMILY, "", 8)
        self.set_text_color(110, 110, 110)
        self.cell(0, 6, self.report_title, align="L")
        self.ln(8)
        self.set_text_color(0, 0, 0)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(_FAMILY, "", 8)
        self.set_text_color(110, 110, 110)
        self.cell(0, 6, f"{self.page_no()} / {{nb}}", align="R")

    def heading(self, text: str) -> None:
        self.ln(3)
        self.set_font(_FAMILY, "B", 13)
        self.cell(0, 8, text, new_x="LMARGIN", new_y="NEXT")
        self.set_font(_FAMILY, "", 9)

    def facts(self, pairs: Sequence[tuple[str, str]]) -> None:
        self.set_font(_FAMILY, "", 9)
        for label, value in pairs:
            self.set_font(_FAMILY, "B", 9)
            self.cell(45, 5.5, label)
            self.set_font(_FAMILY, "", 9)
            self.multi_cell(0, 5.5, value, new_x="LMARGIN", new_y="NEXT")

    def grid(
        self, head: Sequence[str], rows: Sequence[Sequence[str]], widths: Sequence[int]
    ) -> None:
        self.set_font(_FAMILY, "", 8)
        with self.table(col_widths=tuple(widths), headings_style=_HEAD, line_height=4.5,
                        first_row_as_headings=True) as table:  # fmt: skip
            for values in (head, *rows):
                row = table.row()
                for value in values:
                    colour = _STATUS_COLOURS.get(value)
                    row.cell(value, style=FontFace(color=colour) if colour else None)


def render_pdf(report: ReportOut, fonts: Path) -> bytes:
    """The PDF bytes of ``report`` (the sections it holds, in a fixed order)."""
    job = report.job
    pdf = _Pdf(fonts, f"mailferry · migration report · {job.domain}")
    pdf.add_page()
    pdf.set_font(_FAMILY, "B", 18)
    pdf.cell(0, 10, f"Migration report: {job.domain}", new_x="LMARGIN", new_y="NEXT")
    _job(pdf, report)
    for section, draw in (
        (report.summary, _summary),
        (report.gate, _gate),
        (report.timeline, _timeline),
        (report.verification, _verification),
        (report.mailboxes, _mailboxes),
        (report.audit, _audit),
    ):
        if section is not None:
            draw(pdf, report)
    return bytes(pdf.output())


def _job(pdf: _Pdf, report: ReportOut) -> None:
    job = report.job
    source = f"{job.source.host}:{job.source.port}" if job.source else "uploads"
    pdf.facts([
        ("Job", str(job.id)),
        ("Ticket", job.ticket_id or "—"),
        ("Phase", job.phase.value),
        ("Gate", job.gate.value),
        ("Source", source),
        ("Destination", f"{job.destination.host}:{job.destination.port}"),
        ("Created", f"{_when(job.created_at)} by {job.created_by}"),
        ("Generated", _when(report.generated_at)),
    ])  # fmt: skip


def _summary(pdf: _Pdf, report: ReportOut) -> None:
    s = report.summary
    assert s is not None  # noqa: S101 - called only when present
    pdf.heading("Summary")
    ratio = _num(s.ratio * 100 if s.ratio is not None else None, "{:.2f} %")
    pdf.facts([
        ("Mailboxes", f"{s.mailboxes:,} ({s.verified:,} verified)"),
        ("Messages", f"{s.messages_dest:,} of {s.messages_source:,} at the destination ({ratio})"),
    ])  # fmt: skip
    rows = [[status, f"{n:,}"] for status, n in sorted(s.by_status.items())]
    rows += [[f"error: {cls}", f"{n:,}"] for cls, n in s.by_error_class.items()]
    pdf.grid(["Status", "Mailboxes"], rows, [120, 60])


def _gate(pdf: _Pdf, report: ReportOut) -> None:
    g = report.gate
    assert g is not None  # noqa: S101 - called only when present
    pdf.heading(f"Gate: {g.state}")
    if g.approved_by:
        pdf.facts([("Approved", f"{g.approved_by}, {_when(g.approved_at)}")])
    checks = [[c.name, c.status, c.message] for c in g.checks]
    pdf.grid(["Check", "Status", "Message"], checks, [35, 17, 128])
    if g.decisions:
        pdf.ln(2)
        rows = [[_when(d.at), d.type, f"{d.by} ({d.role or '—'})", d.remark] for d in g.decisions]
        pdf.grid(["When", "Decision", "By", "Remark"], rows, [32, 33, 50, 65])
    if g.evaluations:
        pdf.ln(2)
        rows = [[_when(e.evaluated_at), e.gate, e.reason] for e in g.evaluations[:100]]
        pdf.grid(["Evaluated", "Gate", "What changed"], rows, [32, 25, 123])


def _timeline(pdf: _Pdf, report: ReportOut) -> None:
    pdf.heading("Phases")
    rows = [
        [_when(s.at), f"{s.from_phase or '·'} → {s.to_phase}", s.cause, s.by]
        for s in report.timeline or []
    ]
    pdf.grid(["When", "Phase", "Why", "By"], rows, [32, 48, 65, 35])


def _verification(pdf: _Pdf, report: ReportOut) -> None:
    v = report.verification
    assert v is not None  # noqa: S101 - called only when present
    pdf.heading("Verification")
    ratio = _num(v.ratio * 100 if v.ratio is not None else None, "{:.2f} %")
    pdf.facts([("Verified", f"{v.verified:,} mailboxes, {ratio} of the messages")])
    if v.deficits:
        rows = [
            [d.email, d.folder, f"{d.source_messages:,}", f"{d.destination_messages:,}",
             f"{d.missing:,}"]
            for d in v.deficits
        ]  # fmt: skip
        pdf.grid(["Mailbox", "Folder", "Source", "Destination", "Missing"], rows,
                 [60, 50, 24, 24, 22])  # fmt: skip


def _mailboxes(pdf: _Pdf, report: ReportOut) -> None:
    pdf.heading("Mailboxes")
    rows = [
        [str(m.row or ""), m.source_email, m.status, m.error_class or "",
         _num(m.messages_source), _num(m.messages_dest),
         _num(m.verify_ratio * 100 if m.verify_ratio is not None else None, "{:.1f} %")]
        for m in (report.mailboxes or [])[:MAX_PDF_MAILBOXES]
    ]  # fmt: skip
    pdf.grid(["#", "Mailbox", "Status", "Error", "Source", "Dest.", "Verified"], rows,
             [10, 62, 20, 32, 18, 18, 20])  # fmt: skip
    left = len(report.mailboxes or []) - MAX_PDF_MAILBOXES
    if report.mailboxes_truncated or left > 0:
        more = f"{left:,} more mailboxes" if left > 0 else "more mailboxes than listed"
        pdf.facts([("Note", f"{more}: see the JSON report")])


def _audit(pdf: _Pdf, report: ReportOut) -> None:
    pdf.heading("Audit excerpt")
    rows = [
        [_when(a.at), a.user, a.role or "—", a.ip or "—", a.summary] for a in report.audit or []
    ]
    pdf.grid(["When", "Who", "Role", "From", "What"], rows, [30, 38, 20, 24, 68])
