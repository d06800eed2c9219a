"""The estate summary arithmetic on hand-built rows: UPW split, every group listed, totals add up."""

from __future__ import annotations

import copy

import pytest
from hypothesis import given
from hypothesis import strategies as st

from risk_register.estates.enums import SiteType
from risk_register.estates.reports import (
    EstateSummary,
    RefurbishmentGroupRow,
    RemediationGroupRow,
    SiteGroupRow,
    Split,
    is_upw,
    national_total,
    summarise_estate,
)

GROUPS = {"north": "The North", "south": "The South", "empty": "Nobody Here"}
TABLES = ("by_type", "by_tenure", "by_condition", "by_suitability", "by_accessibility")


def site(group: str, site_type: str, count: int, **overrides: str) -> SiteGroupRow:
    values = {
        "tenure": "leasehold",
        "condition_grade": "B",
        "suitability": "suitable",
        "accessibility_status": "accessible",
    }
    values.update(overrides)
    return SiteGroupRow(group=group, site_type=site_type, count=count, **values)


SITE_ROWS = [
    site("north", "unpaid_work", 3, condition_grade="D", accessibility_status="inaccessible"),
    site("north", "probation_office", 5, tenure="freehold"),
    site("north", "approved_premises", 2, suitability="unsuitable_replacement_required"),
    site("south", "unpaid_work", 1, tenure="other", accessibility_status="partially_accessible"),
    site("south", "probation_office", 4, condition_grade="C"),
]
REMEDIATION_ROWS = [
    RemediationGroupRow("north", "unpaid_work", open=6, overdue=4),
    RemediationGroupRow("north", "probation_office", open=3, overdue=0),
    RemediationGroupRow("south", "approved_premises", open=2, overdue=2),
]
REFURBISHMENT_ROWS = [
    RefurbishmentGroupRow("north", "unpaid_work", "major_refurbishment", 1),
    RefurbishmentGroupRow("north", "probation_office", "major_refurbishment", 2),
    RefurbishmentGroupRow("south", "probation_office", "redecoration_or_refurnish", 3),
]


def split(upw: int, rest: int) -> dict[str, int]:
    return {"unpaid_work": upw, "rest_of_estate": rest, "total": upw + rest}


@pytest.fixture
def summaries() -> list[EstateSummary]:
    return summarise_estate(GROUPS, SITE_ROWS, REMEDIATION_ROWS, REFURBISHMENT_ROWS)


# --- Split ----------------------------------------------------------------------------------------------


def test_split_starts_empty() -> None:
    assert Split().as_dict() == split(0, 0)


def test_split_puts_upw_apart_from_every_other_type() -> None:
    s = Split()
    s.add(SiteType.UNPAID_WORK, 2)
    s.add("unpaid_work", 1)
    for site_type in SiteType:
        if site_type != SiteType.UNPAID_WORK:
            s.add(site_type, 10)
    assert s.as_dict() == split(3, 40)
    assert s.total == 43


def test_split_refuses_an_unknown_site_type() -> None:
    with pytest.raises(ValueError, match="castle"):
        Split().add("castle", 1)


def test_is_upw() -> None:
    assert is_upw("unpaid_work")
    assert is_upw(SiteType.UNPAID_WORK)
    assert not any(is_upw(t) for t in SiteType if t != SiteType.UNPAID_WORK)


# --- summarise_estate ---------------------------------------------------------------------------------


def test_every_group_is_listed_in_order_even_when_empty(summaries: list[EstateSummary]) -> None:
    assert [(s.code, s.name) for s in summaries] == list(GROUPS.items())
    empty = summaries[2].as_dict()
    assert empty == {
        "code": "empty",
        "name": "Nobody Here",
        "sites": split(0, 0),
        "by_type": {},
        "by_tenure": {},
        "by_condition": {},
        "by_suitability": {},
        "by_accessibility": {},
        "open_remediation": split(0, 0),
        "overdue_remediation": split(0, 0),
        "refurbishments_completed": {},
    }


def test_no_rows_at_all_still_lists_every_group() -> None:
    summaries = summarise_estate(GROUPS, [], [], [])
    assert [s.code for s in summaries] == list(GROUPS)
    assert all(s.sites.total == 0 for s in summaries)


def test_site_counts_split_upw_from_the_rest(summaries: list[EstateSummary]) -> None:
    north, south, _ = (s.as_dict() for s in summaries)
    assert north["sites"] == split(3, 7)
    assert south["sites"] == split(1, 4)
    assert north["by_type"] == {
        "approved_premises": split(0, 2),
        "probation_office": split(0, 5),
        "unpaid_work": split(3, 0),
    }
    assert north["by_tenure"] == {"freehold": split(0, 5), "leasehold": split(3, 2)}
    assert north["by_condition"] == {"B": split(0, 7), "D": split(3, 0)}
    assert north["by_suitability"] == {"suitable": split(3, 5), "unsuitable_replacement_required": split(0, 2)}
    assert north["by_accessibility"] == {"accessible": split(0, 7), "inaccessible": split(3, 0)}
    assert south["by_tenure"] == {"leasehold": split(0, 4), "other": split(1, 0)}
    assert south["by_accessibility"] == {"accessible": split(0, 4), "partially_accessible": split(1, 0)}


def test_remediation_and_refurbishment_counts(summaries: list[EstateSummary]) -> None:
    north, south, _ = (s.as_dict() for s in summaries)
    assert north["open_remediation"] == split(6, 3)
    assert north["overdue_remediation"] == split(4, 0)
    assert south["open_remediation"] == split(0, 2)
    assert south["overdue_remediation"] == split(0, 2)
    assert north["refurbishments_completed"] == {"major_refurbishment": split(1, 2)}
    assert south["refurbishments_completed"] == {"redecoration_or_refurnish": split(0, 3)}


def test_every_table_adds_up_to_the_site_count(summaries: list[EstateSummary]) -> None:
    for summary in [*summaries, national_total(summaries)]:
        for name in TABLES:
            table = getattr(summary, name)
            assert sum(s.unpaid_work for s in table.values()) == summary.sites.unpaid_work, (summary.code, name)
            assert sum(s.rest_of_estate for s in table.values()) == summary.sites.rest_of_estate, (summary.code, name)


def test_table_keys_are_sorted_in_the_dict_form(summaries: list[EstateSummary]) -> None:
    for name in TABLES:
        keys = list(summaries[0].as_dict()[name])  # type: ignore[call-overload]
        assert keys == sorted(keys)


def test_repeated_rows_for_the_same_key_accumulate() -> None:
    rows = [site("north", "probation_office", 2), site("north", "probation_office", 5)]
    [north] = summarise_estate({"north": "N"}, rows, [], [])
    assert north.sites.as_dict() == split(0, 7)
    assert north.by_condition["B"].as_dict() == split(0, 7)


# --- national total -----------------------------------------------------------------------------------


def test_national_total_sums_every_group(summaries: list[EstateSummary]) -> None:
    total = national_total(summaries).as_dict()
    assert total["code"] == "national"
    assert total["name"] == "National"
    assert total["sites"] == split(4, 11)
    assert total["by_type"] == {
        "approved_premises": split(0, 2),
        "probation_office": split(0, 9),
        "unpaid_work": split(4, 0),
    }
    assert total["by_tenure"] == {"freehold": split(0, 5), "leasehold": split(3, 6), "other": split(1, 0)}
    assert total["by_condition"] == {"B": split(1, 7), "C": split(0, 4), "D": split(3, 0)}
    assert total["open_remediation"] == split(6, 5)
    assert total["overdue_remediation"] == split(4, 2)
    assert total["refurbishments_completed"] == {
        "major_refurbishment": split(1, 2),
        "redecoration_or_refurnish": split(0, 3),
    }


def test_national_total_does_not_change_the_groups(summaries: list[EstateSummary]) -> None:
    before = [s.as_dict() for s in summaries]
    snapshot = copy.deepcopy(before)
    national_total(summaries)
    national_total(summaries)
    assert [s.as_dict() for s in summaries] == snapshot


def test_national_total_of_nothing_is_zero() -> None:
    total = national_total([]).as_dict()
    assert total["sites"] == split(0, 0)
    assert total["by_type"] == {}


site_types = st.sampled_from([t.value for t in SiteType])
group_codes = st.sampled_from(list(GROUPS))
site_rows = st.builds(
    SiteGroupRow,
    group=group_codes,
    site_type=site_types,
    tenure=st.sampled_from(["freehold", "leasehold", "other"]),
    condition_grade=st.sampled_from("ABCD"),
    suitability=st.sampled_from(["suitable", "needs_major_refurbishment"]),
    accessibility_status=st.sampled_from(["accessible", "inaccessible"]),
    count=st.integers(min_value=1, max_value=50),
)
remediation_rows = st.builds(
    RemediationGroupRow,
    group=group_codes,
    site_type=site_types,
    open=st.integers(min_value=0, max_value=50),
    overdue=st.integers(min_value=0, max_value=50),
)


@given(sites=st.lists(site_rows, max_size=30), remediation=st.lists(remediation_rows, max_size=10))
def test_totals_always_add_up(sites: list[SiteGroupRow], remediation: list[RemediationGroupRow]) -> None:
    summaries = summarise_estate(GROUPS, sites, remediation, [])
    total = national_total(summaries)
    assert [s.code for s in summaries] == list(GROUPS)
    assert total.sites.total == sum(r.count for r in sites)
    assert total.sites.unpaid_work == sum(r.count for r in sites if r.site_type == "unpaid_work")
    assert total.open_remediation.total == sum(r.open for r in remediation)
    assert total.overdue_remediation.unpaid_work == sum(r.overdue for r in remediation if r.site_type == "unpaid_work")
    for summary in summaries:
        assert summary.sites.total == sum(r.count for r in sites if r.group == summary.code)
    for name in TABLES:
        table = getattr(total, name)
        assert sum(s.total for s in table.values()) == total.sites.total
        for key, s in table.items():
            assert s.total == sum(getattr(g, name)[key].total for g in summaries if key in getattr(g, name))
