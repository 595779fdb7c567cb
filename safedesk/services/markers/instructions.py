"""The standard instructions to staff that a marker picks from (free text may be added)."""

from __future__ import annotations

STANDARD_INSTRUCTIONS: tuple[str, ...] = (
    "Visit in pairs",
    "No lone interviews",
    "Interview only in a room with a panic alarm",
    "Contact the ASB manager before visiting",
    "Contact the Complex Needs Manager before any contact",
    "No female staff to attend",
    "No male staff to attend",
    "Do not visit at home: office appointments only",
    "Police escort required for home visits",
    "Keep the door clear and sit nearest the exit",
    "Two officers present for any meeting",
    "Telephone contact only",
)
