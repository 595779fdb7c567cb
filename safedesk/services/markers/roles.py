"""Who may assess, review, decide appeals on and read the reasons of markers (seed 002, 3, 5.1, 7).

Seniority, most junior first (a person's seniority is that of their most senior role):

    0  reception, officer, responder, admin   (not managers: admin runs accounts, not markers)
    1  manager, ASB manager, complex needs manager, personnel manager
    2  service manager
    3  area housing manager, senior manager
    4  housing services manager, head of service
    5  head of housing management

Assessing (seed 002 section 3, and section 6 for reviews): the category's named role, or anyone
*more senior* than that role's level. Appeals (section 7): only someone strictly more senior than
both the assessor and whoever placed the marker, and neither of them, may decide.
"""

from __future__ import annotations

from collections.abc import Iterable

from safedesk.models import MarkerCategory, Role

SENIORITY: dict[Role, int] = {
    Role.RECEPTION: 0,
    Role.OFFICER: 0,
    Role.RESPONDER: 0,
    Role.ADMIN: 0,
    Role.MANAGER: 1,
    Role.ASB_MANAGER: 1,
    Role.COMPLEX_NEEDS_MANAGER: 1,
    Role.PERSONNEL_MANAGER: 1,
    Role.SERVICE_MANAGER: 2,
    Role.AREA_HOUSING_MANAGER: 3,
    Role.SENIOR_MANAGER: 3,
    Role.HOUSING_SERVICES_MANAGER: 4,
    Role.HEAD_OF_SERVICE: 4,
    Role.HEAD_OF_HOUSING_MANAGEMENT: 5,
}

# Seed 002 section 3 (assessment) and section 6 (six-monthly review): the role named per category.
# Violence/aggression incidents are assessed by the ASB Manager under that procedure.
ASSESSING_ROLE: dict[MarkerCategory, Role] = {
    MarkerCategory.OFFENDER: Role.ASB_MANAGER,
    MarkerCategory.PARTNER_INFORMATION: Role.ASB_MANAGER,
    MarkerCategory.MENTAL_HEALTH_BEHAVIOUR: Role.COMPLEX_NEEDS_MANAGER,
    MarkerCategory.COMPLAINTS_AGAINST_STAFF: Role.HEAD_OF_SERVICE,
    MarkerCategory.NEAR_MISS: Role.SERVICE_MANAGER,
    MarkerCategory.VIOLENCE_AGGRESSION: Role.ASB_MANAGER,
}

ROLE_TITLES: dict[Role, str] = {
    Role.RECEPTION: "Receptionist",
    Role.OFFICER: "Housing Officer",
    Role.RESPONDER: "Responder",
    Role.ADMIN: "Administrator",
    Role.MANAGER: "Manager",
    Role.ASB_MANAGER: "ASB Manager",
    Role.COMPLEX_NEEDS_MANAGER: "Complex Needs Manager",
    Role.PERSONNEL_MANAGER: "Personnel Manager",
    Role.SERVICE_MANAGER: "Service Manager",
    Role.AREA_HOUSING_MANAGER: "Area Housing Manager",
    Role.SENIOR_MANAGER: "Senior Manager",
    Role.HOUSING_SERVICES_MANAGER: "Housing Services Manager",
    Role.HEAD_OF_SERVICE: "Head of Service",
    Role.HEAD_OF_HOUSING_MANAGEMENT: "Head of Housing Management",
}

CATEGORY_TITLES: dict[MarkerCategory, str] = {
    MarkerCategory.OFFENDER: "Registered prolific offender / criminal offender",
    MarkerCategory.PARTNER_INFORMATION: "Information received from partners",
    MarkerCategory.MENTAL_HEALTH_BEHAVIOUR: "Known mental health or behavioural issues",
    MarkerCategory.COMPLAINTS_AGAINST_STAFF: "History of complaints against staff",
    MarkerCategory.NEAR_MISS: "Near miss",
    MarkerCategory.VIOLENCE_AGGRESSION: "Violence or aggression incident",
}

MANAGER_LEVEL = 1


def seniority(roles: Iterable[Role]) -> int:
    return max((SENIORITY[r] for r in roles), default=0)


def is_manager(roles: Iterable[Role]) -> bool:
    return seniority(roles) >= MANAGER_LEVEL


def may_assess(roles: Iterable[Role], category: MarkerCategory) -> bool:
    """The category's named role, or a more senior level (seed 002 section 3)."""
    role_set = frozenset(roles)
    required = ASSESSING_ROLE[category]
    return required in role_set or seniority(role_set) > SENIORITY[required]


def assess_refusal(category: MarkerCategory, doing: str = "assessed") -> str:
    """The rule in plain words, for the person refused ("... are reviewed by the ASB Manager")."""
    required = ASSESSING_ROLE[category]
    return (
        f"“{CATEGORY_TITLES[category]}” markers are {doing} by the {ROLE_TITLES[required]} "
        "or someone more senior"
    )


def _folded(text: str) -> str:
    words = text.casefold().replace("&", " and ").replace("/", " ").replace("-", " ").split()
    return " ".join("and" if w == "or" else w for w in words)


def category_from_text(text: str) -> MarkerCategory | None:
    """A category from its code ("violence_aggression") or its title as shown on screen
    ("Violence or aggression incident"; case, "and"/"or", "&" and "/" do not matter)."""
    wanted = text.strip()
    for category in MarkerCategory:
        if wanted.casefold() == category.value:
            return category
    folded = _folded(wanted)
    for category, title in CATEGORY_TITLES.items():
        if folded == _folded(title):
            return category
    return None


def may_decide_appeal(
    decider_roles: Iterable[Role], original_roles: Iterable[Iterable[Role]]
) -> bool:
    """Strictly more senior than every manager who made the original decision (seed 002, 7)."""
    mine = seniority(decider_roles)
    return all(mine > seniority(r) for r in original_roles)


def may_view_reasons(
    roles: Iterable[Role],
    *,
    restricted_register: bool,
    category: MarkerCategory,
    restricted_roles: Iterable[str],
) -> bool:
    """Permitted roles (config markers.restricted_roles) see every reason; for a marker that is not
    on the restricted register, the category's assessing role (or more senior) may also, since
    they carry out its six-monthly review."""
    role_set = frozenset(roles)
    if any(r.value in set(restricted_roles) for r in role_set):
        return True
    return not restricted_register and may_assess(role_set, category)


def category_visible(
    roles: Iterable[Role],
    *,
    restricted_register: bool,
    category: MarkerCategory,
    restricted_roles: Iterable[str],
) -> bool:
    """Whether the viewer may be told the category: a marker on the restricted register promises
    everyone else only its instructions and whom to contact (seed 002 5.1)."""
    return not restricted_register or may_view_reasons(
        roles,
        restricted_register=restricted_register,
        category=category,
        restricted_roles=restricted_roles,
    )


def review_refusal(
    roles: Iterable[Role],
    *,
    restricted_register: bool,
    category: MarkerCategory,
    restricted_roles: Iterable[str],
) -> str | None:
    """Why these roles may not review the marker (None: they may), without naming a category
    the viewer may not be told."""
    role_set = frozenset(roles)
    if may_assess(role_set, category):
        return None
    if category_visible(
        role_set,
        restricted_register=restricted_register,
        category=category,
        restricted_roles=restricted_roles,
    ):
        return assess_refusal(category, "reviewed")
    required = ROLE_TITLES[ASSESSING_ROLE[category]]
    return (
        f"this marker is on the restricted register and is reviewed by the {required} "
        "or someone more senior"
    )
