"""The hazards domain's tables (imported by risk_register/db/models.py so Alembic sees them)."""
