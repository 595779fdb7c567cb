"""The restricted detail of one marker, shown after the core has recorded the view."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QTextBrowser, QVBoxLayout, QWidget

from safedesk.services.markers.restricted_register import RestrictedDetail


class RestrictedDetailDialog(QDialog):
    def __init__(
        self, detail: RestrictedDetail, viewer: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Restricted detail: M-{detail.marker_id:06d}")
        layout = QVBoxLayout(self)
        notice = QLabel(
            f"RESTRICTED. This view by {escape(viewer)} has been recorded in the audit log. "
            "Do not copy or share this information."
        )
        notice.setObjectName("auditNotice")
        notice.setWordWrap(True)
        notice.setStyleSheet(
            "background:#fff3cd; border:1px solid #d98200; padding:6px; font-weight:bold"
        )
        layout.addWidget(notice)
        body = QTextBrowser()
        body.setObjectName("restrictedBody")
        evidence = "".join(
            f"<li>{e.occurred_on:%d/%m/%Y}: {escape(e.what_happened)} "
            f"<i>(source: {escape(e.source)})</i></li>"
            for e in detail.evidence
        )
        informed = (
            f"<p><b>Tenant not told, because:</b> {escape(detail.not_informed_reason)}</p>"
            if detail.not_informed_reason
            else ""
        )
        body.setHtml(
            f"<h3>{escape(detail.person_name)}</h3>"
            f"<p><b>Reason:</b> {escape(detail.reason)}</p>"
            + (f"<p><b>Detail:</b> {escape(detail.detail)}</p>" if detail.detail else "")
            + informed
            + f"<p><b>Evidence the marker rests on:</b></p><ul>{evidence}</ul>"
        )
        layout.addWidget(body)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(560, 420)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
