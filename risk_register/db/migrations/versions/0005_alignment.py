"""alignment links and national coverage marks; remember hand-set repair targets

Revision ID: 0005
Revises: 0003
Create Date: 2026-11-27 19:59:59.151871

"""

from __future__ import annotations

import sqlalchemy as sa
from advanced_alchemy.types import GUID, DateTimeUTC
from alembic import op
from sqlalchemy import Text


# Autogenerate renders Advanced Alchemy's column types as sa.<Type>.
sa.GUID = GUID  # type: ignore[attr-defined]
sa.DateTimeUTC = DateTimeUTC  # type: ignore[attr-defined]

revision = '0005'
down_revision = ('0003', '0004')  # joins the hazards and registers branches
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('remediation_action', schema=None) as batch_op:
        batch_op.add_column(sa.Column('target_date_set_by_hand', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))

    op.create_table('alignment_link',
    sa.Column('id', sa.GUID(length=16), nullable=False),
    sa.Column('area_risk_id', sa.GUID(length=16), nullable=False),
    sa.Column('national_risk_id', sa.GUID(length=16), nullable=False),
    sa.Column('status', sa.Enum('suggested', 'confirmed', 'rejected', name='linkstatus', native_enum=False, length=17), nullable=False),
    sa.Column('source', sa.Enum('manual', 'suggestion', 'import', name='linksource', native_enum=False, length=18), nullable=False),
    sa.Column('rationale', sa.Text(), nullable=True),
    sa.Column('score', sa.Float(), nullable=True),
    sa.Column('decided_by', sa.String(length=64), nullable=True),
    sa.Column('decided_at', sa.DateTimeUTC(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('sa_orm_sentinel', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTimeUTC(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTimeUTC(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['area_risk_id'], ['risk.id'], name=op.f('fk_alignment_link_area_risk_id_risk'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['national_risk_id'], ['risk.id'], name=op.f('fk_alignment_link_national_risk_id_risk'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alignment_link')),
    sa.UniqueConstraint('area_risk_id', 'national_risk_id', name=op.f('uq_alignment_link_area_risk_id'))
    )
    with op.batch_alter_table('alignment_link', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_alignment_link_area_risk_id'), ['area_risk_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_alignment_link_national_risk_id'), ['national_risk_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_alignment_link_status'), ['status'], unique=False)

    op.create_table('national_coverage',
    sa.Column('id', sa.GUID(length=16), nullable=False),
    sa.Column('national_risk_id', sa.GUID(length=16), nullable=False),
    sa.Column('applies_to_every_area', sa.Boolean(), nullable=False),
    sa.Column('rationale', sa.Text(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('sa_orm_sentinel', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTimeUTC(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTimeUTC(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['national_risk_id'], ['risk.id'], name=op.f('fk_national_coverage_national_risk_id_risk'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_national_coverage')),
    sa.UniqueConstraint('national_risk_id', name=op.f('uq_national_coverage_national_risk_id'))
    )
    # ### end Alembic commands ###


def downgrade() -> None:
    with op.batch_alter_table('remediation_action', schema=None) as batch_op:
        batch_op.drop_column('target_date_set_by_hand')

    op.drop_table('national_coverage')
    with op.batch_alter_table('alignment_link', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_alignment_link_status'))
        batch_op.drop_index(batch_op.f('ix_alignment_link_national_risk_id'))
        batch_op.drop_index(batch_op.f('ix_alignment_link_area_risk_id'))

    op.drop_table('alignment_link')
    # ### end Alembic commands ###
