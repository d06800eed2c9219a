"""Every domain's tables, imported so the shared metadata (and so Alembic) sees them all."""

from advanced_alchemy.base import orm_registry

from risk_register.estates.models import AccessibilityFinding, RefurbishmentProject, RemediationAction, Site
from risk_register.organisation.models import AreaRecord, PduRecord, RegionRecord

metadata = orm_registry.metadata

__all__ = [
    "AccessibilityFinding",
    "AreaRecord",
    "PduRecord",
    "RefurbishmentProject",
    "RegionRecord",
    "RemediationAction",
    "Site",
    "metadata",
]
