"""Showing and recording the warning for a visit already on the list (expected or booked in)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QDialog, QWidget

from desktop.reception.warning_dialog import FlaggedCandidate, FlaggedFileWarning
from safedesk.services.actor import Actor
from safedesk.services.reception_desk import ReceptionDesk
from safedesk.services.visits import VisitView, WarningView


def candidates_for(warnings: tuple[WarningView, ...]) -> list[FlaggedCandidate]:
    return [
        FlaggedCandidate(
            key=w.person_id,
            name=w.person_name,
            date_of_birth=w.date_of_birth,
            postcode=w.postcode,
            tenancy_ref=w.tenancy_ref,
            instructions=w.instructions,
            marker_ids=w.marker_ids,
            booked_person=w.booked_person,
        )
        for w in warnings
    ]


def warn_for_visit(
    desk: ReceptionDesk,
    actor: Callable[[], Actor],
    visit: VisitView,
    parent: QWidget | None,
    context: str,
    *,
    allow_stop: bool = True,
    opened: Callable[[FlaggedFileWarning], None] = lambda _d: None,
) -> bool:
    """Show the visit's pending warnings; record acknowledgements and dismissals. True if done."""
    pending = visit.pending_warnings
    if not pending:
        return True
    said = " · ".join(
        p
        for p in (
            visit.visitor_name,
            visit.date_of_birth.strftime("%d/%m/%Y") if visit.date_of_birth else "",
            visit.postcode or "",
        )
        if p
    )
    dialog = FlaggedFileWarning(
        candidates_for(pending),
        visitor_said=said,
        context=context,
        allow_stop=allow_stop,
        parent=parent,
    )
    opened(dialog)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return False
    by_person = {w.person_id: w for w in pending}
    who = actor()
    for person_id, reason in dialog.outcome.dismissed.items():
        desk.dismiss(who, by_person[person_id].id, reason)
    desk.acknowledge(
        who, visit.id, [by_person[p].id for p in dialog.outcome.acknowledged if p in by_person]
    )
    return True
