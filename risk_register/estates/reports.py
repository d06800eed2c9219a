"""The estates team's summaries, as plain aggregation over grouped rows (no HTTP, no database).

Every count is split into unpaid work (UPW) sites and the rest of the estate, because the inspection found
UPW sites "given less priority than other premises": the split keeps them visible beside the rest.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from risk_register.estates.enums import SiteType


def is_upw(site_type: SiteType | str) -> bool:
    return SiteType(site_type) == SiteType.UNPAID_WORK


@dataclass
class Split:
    unpaid_work: int = 0
    rest_of_estate: int = 0

    @property
    def total(self) -> int:
        return self.unpaid_work + self.rest_of_estate

    def add(self, site_type: SiteType | str, count: int) -> None:
        if is_upw(site_type):
            self.unpaid_work += count
        else:
            self.rest_of_estate += count

    def as_dict(self) -> dict[str, int]:
        return {"unpaid_work": self.unpaid_work, "rest_of_estate": self.rest_of_estate, "total": self.total}


def _splits() -> defaultdict[str, Split]:
    return defaultdict(Split)


@dataclass
class EstateSummary:
    code: str
    name: str
    sites: Split = field(default_factory=Split)
    by_type: defaultdict[str, Split] = field(default_factory=_splits)
    by_tenure: defaultdict[str, Split] = field(default_factory=_splits)
    by_condition: defaultdict[str, Split] = field(default_factory=_splits)
    by_suitability: defaultdict[str, Split] = field(default_factory=_splits)
    by_accessibility: defaultdict[str, Split] = field(default_factory=_splits)
    open_remediation: Split = field(default_factory=Split)
    overdue_remediation: Split = field(default_factory=Split)
    refurbishments_completed: defaultdict[str, Split] = field(default_factory=_splits)

    def as_dict(self) -> dict[str, object]:
        def table(splits: dict[str, Split]) -> dict[str, dict[str, int]]:
            return {key: splits[key].as_dict() for key in sorted(splits)}

        return {
            "code": self.code,
            "name": self.name,
            "sites": self.sites.as_dict(),
            "by_type": table(self.by_type),
            "by_tenure": table(self.by_tenure),
            "by_condition": table(self.by_condition),
            "by_suitability": table(self.by_suitability),
            "by_accessibility": table(self.by_accessibility),
            "open_remediation": self.open_remediation.as_dict(),
            "overdue_remediation": self.overdue_remediation.as_dict(),
            "refurbishments_completed": table(self.refurbishments_completed),
        }


@dataclass(frozen=True)
class SiteGroupRow:
    group: str
    site_type: str
    tenure: str
    condition_grade: str
    suitability: str
    accessibility_status: str
    count: int


@dataclass(frozen=True)
class RemediationGroupRow:
    group: str
    site_type: str
    open: int
    overdue: int


@dataclass(frozen=True)
class RefurbishmentGroupRow:
    group: str
    site_type: str
    kind: str
    count: int


def summarise_estate(
    groups: dict[str, str],
    sites: Iterable[SiteGroupRow],
    remediation: Iterable[RemediationGroupRow],
    refurbishments: Iterable[RefurbishmentGroupRow],
) -> list[EstateSummary]:
    """One summary per group (Area or region code -> name), every group listed even when it is empty."""
    summaries = {code: EstateSummary(code=code, name=name) for code, name in groups.items()}
    for row in sites:
        summary = summaries[row.group]
        summary.sites.add(row.site_type, row.count)
        summary.by_type[row.site_type].add(row.site_type, row.count)
        summary.by_tenure[row.tenure].add(row.site_type, row.count)
        summary.by_condition[row.condition_grade].add(row.site_type, row.count)
        summary.by_suitability[row.suitability].add(row.site_type, row.count)
        summary.by_accessibility[row.accessibility_status].add(row.site_type, row.count)
    for rem in remediation:
        summaries[rem.group].open_remediation.add(rem.site_type, rem.open)
        summaries[rem.group].overdue_remediation.add(rem.site_type, rem.overdue)
    for refurb in refurbishments:
        summaries[refurb.group].refurbishments_completed[refurb.kind].add(refurb.site_type, refurb.count)
    return list(summaries.values())


def national_total(summaries: list[EstateSummary]) -> EstateSummary:
    """The whole estate in scope, as one more summary."""
    total = EstateSummary(code="national", name="National")
    for s in summaries:
        for mine, theirs in (
            (total.sites, s.sites),
            (total.open_remediation, s.open_remediation),
            (total.overdue_remediation, s.overdue_remediation),
        ):
            mine.unpaid_work += theirs.unpaid_work
            mine.rest_of_estate += theirs.rest_of_estate
        for name in (
            "by_type",
            "by_tenure",
            "by_condition",
            "by_suitability",
            "by_accessibility",
            "refurbishments_completed",
        ):
            mine_table, their_table = getattr(total, name), getattr(s, name)
            for key, split in their_table.items():
                mine_table[key].unpaid_work += split.unpaid_work
                mine_table[key].rest_of_estate += split.rest_of_estate
    return total
