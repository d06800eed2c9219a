"""The registers domain's tables (imported by risk_register/db/models.py so Alembic sees them)."""
