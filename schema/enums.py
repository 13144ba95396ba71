from __future__ import annotations

from enum import Enum

import strawberry


@strawberry.enum
class Role(Enum):
    VOLUNTEER = "VOLUNTEER"
    COORDINATOR = "COORDINATOR"
    COMMITTEE = "COMMITTEE"
    ADMIN = "ADMIN"


@strawberry.enum
class OrganisationKind(Enum):
    CITY_CENTER = "CITY_CENTER"
    COUNTY_STATION = "COUNTY_STATION"
    TOWNSHIP_STATION = "TOWNSHIP_STATION"
    VILLAGE_ROOM = "VILLAGE_ROOM"
    AGENCY = "AGENCY"
    VOLUNTEER_TEAM = "VOLUNTEER_TEAM"


@strawberry.enum
class NeedCategory(Enum):
    VULNERABLE_ASSISTANCE = "VULNERABLE_ASSISTANCE"
    ELDER_CARE = "ELDER_CARE"
    CHILD_CARE = "CHILD_CARE"
    DISABILITY_REHAB = "DISABILITY_REHAB"
    COMMUNITY_GOVERNANCE = "COMMUNITY_GOVERNANCE"
    EMERGENCY_RESPONSE = "EMERGENCY_RESPONSE"


@strawberry.enum
class Urgency(Enum):
    ROUTINE = "ROUTINE"
    URGENT = "URGENT"
    EMERGENCY = "EMERGENCY"


@strawberry.enum
class Weekday(Enum):
    MONDAY = "MONDAY"
    TUESDAY = "TUESDAY"
    WEDNESDAY = "WEDNESDAY"
    THURSDAY = "THURSDAY"
    FRIDAY = "FRIDAY"
    SATURDAY = "SATURDAY"
    SUNDAY = "SUNDAY"


@strawberry.enum
class NeedStatus(Enum):
    OPEN = "OPEN"
    CANCELLED = "CANCELLED"


@strawberry.enum
class TaskStatus(Enum):
    OPEN = "OPEN"
    FULL = "FULL"
    CANCELLED = "CANCELLED"
    COMPLETED = "COMPLETED"
