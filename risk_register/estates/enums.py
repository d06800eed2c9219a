"""The estates vocabulary. Values are the API's and the database's spelling."""

from __future__ import annotations

from enum import StrEnum


class SiteType(StrEnum):
    PROBATION_OFFICE = "probation_office"
    UNPAID_WORK = "unpaid_work"  # unpaid work (UPW) site or depot
    APPROVED_PREMISES = "approved_premises"
    PROBATION_CONTACT_CENTRE = "probation_contact_centre"
    OTHER = "other"


class Tenure(StrEnum):
    FREEHOLD = "freehold"
    LEASEHOLD = "leasehold"
    OTHER = "other"


class ConditionGrade(StrEnum):
    A = "A"
    B = "B"
    C = "C"
    D = "D"


class Suitability(StrEnum):
    SUITABLE = "suitable"
    NEEDS_MAJOR_REFURBISHMENT = "needs_major_refurbishment"
    UNSUITABLE = "unsuitable_replacement_required"


class OperationalStatus(StrEnum):
    OPERATIONAL = "operational"
    PARTIALLY_CLOSED = "partially_closed"
    CLOSED = "closed"
    DISPOSED = "disposed"


class AccessibilityStatus(StrEnum):
    ACCESSIBLE = "accessible"
    PARTIALLY_ACCESSIBLE = "partially_accessible"
    INACCESSIBLE = "inaccessible"


class FindingCategory(StrEnum):
    APPROACH_AND_PARKING = "approach_and_parking"
    ENTRANCE = "entrance"
    RECEPTION = "reception"
    HORIZONTAL_CIRCULATION = "horizontal_circulation"
    LIFTS_AND_STAIRS = "lifts_and_stairs"
    TOILETS = "toilets"
    SIGNAGE_AND_WAYFINDING = "signage_and_wayfinding"
    HEARING_ENHANCEMENT = "hearing_enhancement"
    EMERGENCY_EGRESS = "emergency_egress"
    WELFARE_FACILITIES = "welfare_facilities"


class FindingStatus(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    ACCEPTED = "accepted"  # accepted with a recorded reason (e.g. adjustment not reasonable)


class RefurbishmentKind(StrEnum):
    MAJOR_REFURBISHMENT = "major_refurbishment"
    REDECORATION_OR_REFURNISH = "redecoration_or_refurnish"
    REPLACEMENT_SITE = "replacement_site"
    PLANNED_MAINTENANCE = "planned_maintenance"


class RefurbishmentStatus(StrEnum):
    PROPOSED = "proposed"
    APPROVED = "approved"
    FUNDED = "funded"
    IN_PROGRESS = "in_progress"
    COMPLETE = "complete"
    CANCELLED = "cancelled"


class BuildingSystem(StrEnum):
    WATER = "water"
    GAS = "gas"
    ELECTRICITY = "electricity"
    HOT_WATER_HEATERS = "hot_water_heaters"
    HEATING = "heating"
    FIRE_SAFETY = "fire_safety"
    FABRIC_AND_STRUCTURE = "fabric_and_structure"
    WELFARE = "welfare"
    SECURITY = "security"
    OTHER = "other"


class RepairPriority(StrEnum):
    P1 = "P1"
    P2 = "P2"
    P3 = "P3"
    P4 = "P4"


class RemediationStatus(StrEnum):
    REPORTED = "reported"
    PARTS_AWAITED = "parts_awaited"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


OPEN_FINDING_STATUSES = frozenset({FindingStatus.OPEN, FindingStatus.IN_PROGRESS})
CLOSED_REMEDIATION_STATUSES = frozenset({RemediationStatus.COMPLETED, RemediationStatus.CANCELLED})
