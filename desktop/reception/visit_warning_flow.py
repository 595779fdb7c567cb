"""Showing and recording the warning for a visit already on the list (expected or booked in).

The warning carries the meeting's own notes when the officer registered it as high-risk
("Two officers present. Call Tom before letting him through."), and a high-risk meeting with
no flagged record still shows those notes on arrival. Stopping after the warning is audited.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QDialog, QWidget

from desktop.reception.warning_dialog import FlaggedCandidate, FlaggedFileWarning
from safedesk.services.reception.desk import ReceptionDesk
from safedesk.services.reception.visit_view import VisitView, WarningView
from safedesk.services.reception.visit_warnings import WarnedPerson
from safedesk.services.shared.actor import Actor


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


def warned_people(candidates: list[FlaggedCandidate]) -> list[WarnedPerson]:
    """What the warning showed, for the audit row of a booking that stopped there."""
    return [WarnedPerson(c.key, c.name, c.marker_ids, c.booked_person) for c in candidates]


def meeting_notes(visit: VisitView) -> str | None:
    """The officer's notes for reception, when the meeting was registered as high-risk."""
    if visit.high_risk and visit.risk_notes:
        return visit.risk_notes
    return None


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
    """Show the visit's pending warnings (and a high-risk meeting's notes on arrival); record
    acknowledgements, dismissals and stopping. True if the receptionist may go on."""
    pending = visit.pending_warnings
    notes = meeting_notes(visit)
    arriving = visit.arrived_at is None
    if not pending and not (notes and arriving):
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
    candidates = candidates_for(pending)
    dialog = FlaggedFileWarning(
        candidates,
        visitor_said=said,
        context=context,
        allow_stop=allow_stop,
        risk_notes=notes,
        host_name=visit.host_name,
        parent=parent,
    )
    opened(dialog)
    who = actor()
    if dialog.exec() != QDialog.DialogCode.Accepted:
        desk.record_stopped(
            who,
            office_id=visit.office_id,
            warned=warned_people(candidates),
            visit_id=visit.id,
            stage="stopped at the arrival warning",
        )
        return False
    by_person = {w.person_id: w for w in pending}
    for person_id, reason in dialog.outcome.dismissed.items():
        desk.dismiss(who, by_person[person_id].id, reason)
    if pending:
        desk.acknowledge(
            who, visit.id, [by_person[p].id for p in dialog.outcome.acknowledged if p in by_person]
        )
    return True
