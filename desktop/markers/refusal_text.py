"""How a refusal from the core reads on screen: every field named, or the reason it was refused."""

from __future__ import annotations

from html import escape

from safedesk.services.shared.refusals import InvalidInput

FIELD_LABELS = {
    "person": "Person",
    "category": "Category",
    "instructions": "Instructions to staff",
    "reason": "Reason",
    "assessed_by": "Assessed by",
    "tenant_informed": "Tenant informed",
    "not_informed_reason": "Reason for not telling the tenant",
    "review_due": "Review due",
    "evidence": "Evidence",
    "decision": "Decision",
    "information_considered": "Information considered",
    "next_review_due": "Next review",
    "grounds": "Grounds",
    "outcome": "Outcome",
    "explanation": "Explanation for the tenant",
    "discussion_date": "Date you spoke to them",
    "staff_member": "Colleague involved",
    "behaviour": "What happened",
    "source_alarm": "Incident",
    "marker": "Marker",
    "instructions_note": "Other instruction",
}


def label_for(field: str) -> str:
    base = field.split("[", 1)[0].split(".", 1)[0]
    label = FIELD_LABELS.get(base, base.replace("_", " ").capitalize())
    if "[" in field:
        index = int(field.split("[", 1)[1].split("]", 1)[0]) + 1
        detail = field.rsplit(".", 1)[-1].replace("_", " ") if "." in field else ""
        return f"{label} {index}" + (f" ({detail})" if detail else "")
    return label


def invalid_html(exc: InvalidInput) -> str:
    items = "".join(
        f"<li><b>{escape(label_for(p.field))}</b>: {escape(p.message)}</li>" for p in exc.problems
    )
    return f"Nothing was saved. Please complete:<ul>{items}</ul>"
