"""All tables; importing this module registers every model on ``Base.metadata``."""

from safedesk.models.alarms import AlarmEvent, AlarmOutcome, AlarmPress, AlarmResponse, BusEvent
from safedesk.models.audit import AuditEntry
from safedesk.models.base import Base
from safedesk.models.deliveries import AlarmDelivery, DeliveryKind
from safedesk.models.markers import (
    AppealOutcome,
    Marker,
    MarkerAppeal,
    MarkerCategory,
    MarkerEvidence,
    MarkerRestricted,
    MarkerReview,
    MarkerStatus,
    ReviewDecision,
)
from safedesk.models.movements import Movement, OverdueAlert  # noqa: F401 (registers them)
from safedesk.models.office import Office, PanicDevice, Room, RoomKind, Workstation
from safedesk.models.people import Person, PersonAlias
from safedesk.models.rota import RotaShift, ShiftKind
from safedesk.models.sign_in import SignInAttempt, SignInGuard, SignInPolicy
from safedesk.models.staff import Role, Staff, StaffRole
from safedesk.models.visits import Visit, VisitWarning
from safedesk.models.weekly_tests import AlarmTest, FailReason, TestResult

__all__ = [
    "AlarmDelivery",
    "AlarmEvent",
    "AlarmOutcome",
    "AlarmPress",
    "AlarmResponse",
    "AlarmTest",
    "AppealOutcome",
    "AuditEntry",
    "Base",
    "BusEvent",
    "DeliveryKind",
    "FailReason",
    "Marker",
    "MarkerAppeal",
    "MarkerCategory",
    "MarkerEvidence",
    "MarkerRestricted",
    "MarkerReview",
    "MarkerStatus",
    "Office",
    "PanicDevice",
    "Person",
    "PersonAlias",
    "ReviewDecision",
    "Role",
    "Room",
    "RoomKind",
    "RotaShift",
    "ShiftKind",
    "SignInAttempt",
    "SignInGuard",
    "SignInPolicy",
    "Staff",
    "StaffRole",
    "TestResult",
    "Visit",
    "VisitWarning",
    "Workstation",
]
