"""Every domain's tables, imported so the shared metadata (and so Alembic) sees them all."""

from advanced_alchemy.base import orm_registry

import risk_register.alignment.models
import risk_register.audit.recorder
import risk_register.hazards.models
import risk_register.registers.models  # noqa: F401
from risk_register.accounts.models import AccessToken, User
from risk_register.audit.models import AuditEvent
from risk_register.estates.models import AccessibilityFinding, RefurbishmentProject, RemediationAction, Site
from risk_register.organisation.models import AreaRecord, PduRecord, RegionRecord

metadata = orm_registry.metadata

__all__ = [
    "AccessToken",
    "AccessibilityFinding",
    "AreaRecord",
    "AuditEvent",
    "PduRecord",
    "RefurbishmentProject",
    "RegionRecord",
    "RemediationAction",
    "Site",
    "User",
    "metadata",
]
