"""Alignment reports on registers whose answers are known by construction (both engines)."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET

import pytest

from risk_register.accounts.roles import Role
from tests.conftest import TODAY, if_match

SITE = {
    "code": "AL-1",
    "name": "Cardiff Probation Office",
    "address": "1 Queen Street, Cardiff",
    "postcode": "CF10 2AB",
    "region_code": "wales",
    "site_type": "probation_office",
    "tenure": "leasehold",
    "condition_grade": "C",
    "suitability": "suitable",
    "staff_headcount": 40,
}


async def registers(client) -> dict[str, str]:
    listed = (await client.get("/api/registers", params={"page_size": 100})).json()["items"]
    return {(r["area_code"] or "national"): r["id"] for r in listed if r["level"] in ("national", "area")}


async def add_risk(client, register_id: str, reference: str, title: str, likelihood: int, impact: int, **extra):
    body = {
        "reference": reference,
        "title": title,
        "category": extra.pop("category", "health-and-safety"),
        "owner": "Owner",
        "residual_likelihood": likelihood,
        "residual_impact": impact,
        "identified_on": "2025-01-10",
        "next_review_on": "2025-09-30",
        **extra,
    }
    response = await client.post(f"/api/registers/{register_id}/risks", json=body)
    assert response.status_code == 201, response.text
    return response.json()["id"]


@pytest.fixture
async def picture(client):
    """National N1 (every Area must have it), N2, N3, N4; Wales W1 -> N1, W2 -> N2 (diverging), W3 unaligned and
    extreme, W4 unaligned and moderate; London L1 claims N1 in its national reference, L2 claims "N9" (none)."""
    regs = await registers(client)
    ids = {
        "N1": await add_risk(client, regs["national"], "N1", "Legionella controls not effective", 3, 4),
        "N2": await add_risk(client, regs["national"], "N2", "Staff stress and wellbeing", 2, 2, category="workforce"),
        "N3": await add_risk(client, regs["national"], "N3", "Fire safety arrangements inadequate", 2, 3),
        "N4": await add_risk(
            client, regs["national"], "N4", "Loss of an office through flooding or fire", 2, 4, category="estates"
        ),
        "W1": await add_risk(client, regs["wales"], "W1", "Hot water not reaching 60C at Cardiff", 3, 3),
        "W2": await add_risk(client, regs["wales"], "W2", "Burnout in Cardiff teams", 5, 4, category="workforce"),
        "W3": await add_risk(client, regs["wales"], "W3", "Flooding of the Newport office", 4, 5, category="estates"),
        "W4": await add_risk(client, regs["wales"], "W4", "Welsh language signage", 2, 3, category="governance"),
        "L1": await add_risk(
            client, regs["london"], "L1", "Water hygiene checks missed", 3, 4, national_reference="N1"
        ),
        "L2": await add_risk(
            client, regs["london"], "L2", "Lift out of service", 2, 2, category="estates", national_reference="N9"
        ),
    }
    coverage = await client.post("/api/alignment/coverage", json={"national_risk_id": ids["N1"]})
    assert coverage.status_code == 201, coverage.text
    for area_risk, national_risk in (("W1", "N1"), ("W2", "N2")):
        link = await client.post(
            "/api/alignment/links",
            json={"area_risk_id": ids[area_risk], "national_risk_id": ids[national_risk], "rationale": "same hazard"},
        )
        assert link.status_code == 201, link.text
    reconciled = await client.post(f"/api/alignment/registers/{regs['london']}/reconcile-references")
    assert reconciled.status_code == 200, reconciled.text
    ids["reconciled"] = reconciled.json()
    ids["registers"] = regs
    return ids


async def test_reconciling_references_links_known_ones_and_reports_the_rest(client, picture) -> None:
    result = picture["reconciled"]
    assert [(c["area_risk_id"], c["national_risk_id"], c["status"], c["source"]) for c in result["created"]] == [
        (picture["L1"], picture["N1"], "confirmed", "import")
    ]
    assert result["problems"] == [{"field": "risks.L2.national_reference", "reason": "names no national risk: 'N9'"}]
    again = await client.post(f"/api/alignment/registers/{picture['registers']['london']}/reconcile-references")
    assert again.json()["created"] == []  # re-running changes nothing


async def test_alignment_report_counts_shares_and_gaps(client, picture) -> None:
    report = (await client.get("/api/alignment/reports/alignment")).json()
    areas = {a["area_code"]: a for a in report["areas"]}
    wales, london, midlands = areas["wales"], areas["london"], areas["midlands"]
    assert (wales["risks"], wales["aligned"], wales["unaligned"], wales["aligned_share"]) == (4, 2, 2, 0.5)
    assert {r["reference"] for r in wales["unaligned_risks"]} == {"W3", "W4"}
    assert wales["coverage_gaps"] == []
    assert (london["risks"], london["aligned"], london["aligned_share"]) == (2, 1, 0.5)
    assert (midlands["risks"], midlands["aligned_share"]) == (0, None)
    assert [g["reference"] for g in midlands["coverage_gaps"]] == ["N1"]
    assert report["aligned_share"] == 0.5  # 3 of 6 Area risks
    only_wales = (await client.get("/api/alignment/reports/alignment", params={"area": "wales"})).json()
    assert [a["area_code"] for a in only_wales["areas"]] == ["wales"]


async def test_divergence_escalation_and_uncontrolled(client, picture) -> None:
    divergence = (await client.get("/api/alignment/reports/divergence")).json()
    assert [(p["area_risk"]["reference"], p["national_risk"]["reference"]) for p in divergence["pairs"]] == [
        ("W2", "N2")
    ]
    assert "residual scores differ by 16" in divergence["pairs"][0]["reasons"]
    escalation = (await client.get("/api/alignment/reports/escalation-candidates")).json()
    assert [r["reference"] for r in escalation["risks"]] == ["W3"]  # 4 x 5 = 20; W4 is 6, L2 is 4
    uncontrolled = (await client.get("/api/alignment/reports/uncontrolled", params={"area": "wales"})).json()
    assert {r["reference"] for r in uncontrolled["risks"]} == {"W1", "W2", "W3", "W4"}
    assert all({"no_controls_linked"} <= {x["code"] for x in r["reasons"]} for r in uncontrolled["risks"])


async def test_uncontrolled_reasons_follow_controls_checks_and_actions(client, picture) -> None:
    site = (await client.post("/api/sites", json=SITE)).json()
    control = await client.post(
        "/api/controls",
        json={
            "hazard_code": "legionella",
            "site_id": site["id"],
            "title": "Monthly sentinel temperatures",
            "owner": "Site manager",
            "frequency": {"unit": "month", "count": 1},
            "first_due_on": "2025-05-01",
        },
    )
    assert control.status_code == 201, control.text
    control_id = control.json()["id"]
    linked = await client.post(f"/api/risks/{picture['W1']}/links", json={"kind": "control", "target": control_id})
    assert linked.status_code == 201, linked.text

    def reasons_of(report, reference):
        return {
            (x["code"], x["subject_id"]) for r in report["risks"] if r["reference"] == reference for x in r["reasons"]
        }

    # W1 scores 3 x 3 = 9: above the averse appetite for health and safety (config/risk_categories.toml), and no
    # mitigating action is open yet.
    no_action = ("above_appetite_without_open_action", None)
    report = (await client.get("/api/alignment/reports/uncontrolled")).json()
    assert reasons_of(report, "W1") == {("control_overdue", control_id), no_action}  # due 1 May, never checked
    checked = await client.post(
        f"/api/controls/{control_id}/checks",
        json={"checked_on": TODAY.isoformat(), "checked_by": "Site manager", "outcome": "fail"},
    )
    assert checked.status_code == 201, checked.text
    report = (await client.get("/api/alignment/reports/uncontrolled")).json()
    assert reasons_of(report, "W1") == {("last_check_failed", control_id), no_action}
    action = await client.post(
        f"/api/risks/{picture['W1']}/actions",
        json={"description": "Replace calorifier", "owner": "Estates", "due_on": "2025-06-01"},
    )
    assert action.status_code == 201, action.text
    report = (await client.get("/api/alignment/reports/uncontrolled")).json()
    assert reasons_of(report, "W1") == {("last_check_failed", control_id), ("action_overdue", action.json()["id"])}


async def test_traceability_and_graph_exports(client, picture) -> None:
    site = (await client.post("/api/sites", json=SITE)).json()
    control = (
        await client.post(
            "/api/controls",
            json={
                "hazard_code": "legionella",
                "site_id": site["id"],
                "title": "Monthly sentinel temperatures",
                "owner": "Site manager",
                "frequency": {"unit": "month", "count": 1},
                "first_due_on": "2025-07-01",
            },
        )
    ).json()
    await client.post(f"/api/risks/{picture['W1']}/links", json={"kind": "control", "target": control["id"]})
    tree = (await client.get(f"/api/alignment/traceability/{picture['N1']}")).json()
    assert tree["reference"] == "N1"
    by_ref = {a["reference"]: a for a in tree["area_risks"]}
    assert set(by_ref) == {"W1", "L1"}
    hazard = by_ref["W1"]["hazards"][0]
    assert hazard["label"] == "legionella"
    assert hazard["controls"][0]["status"] == "not_yet_checked"
    assert hazard["controls"][0]["sites"][0]["label"].startswith("AL-1")

    graphml = await client.get("/api/alignment/graph.graphml")
    assert graphml.status_code == 200
    nodes = ET.fromstring(graphml.content).iter("{http://graphml.graphdrawing.org/xmlns}node")
    assert f"risk:{picture['N1']}" in {n.attrib["id"] for n in nodes}
    data = (await client.get("/api/alignment/graph.json")).json()
    kinds = {link["kind"] for link in data["links"]}
    assert {"aligns_to", "contains", "mitigated_by", "concerns_hazard", "located_at", "part_of"} <= kinds
    svg = await client.get(f"/api/alignment/graph/{picture['N1']}/neighbourhood.svg")
    assert svg.headers["content-type"].startswith("image/svg+xml")
    assert svg.text.startswith("<svg")
    assert "N1 Legionella" in svg.text
    assert (await client.get(f"/api/alignment/traceability/{picture['W1']}")).status_code == 404


async def test_reports_export_as_csv_and_xlsx(client, picture) -> None:
    exported = await client.get("/api/alignment/reports/alignment/csv")
    rows = {r["area_code"]: r for r in csv.DictReader(io.StringIO(exported.text))}
    assert rows["wales"]["aligned_share"] == "0.5"
    assert rows["midlands"]["coverage_gaps"] == "N1"
    xlsx = await client.get("/api/alignment/reports/uncontrolled/xlsx")
    assert xlsx.content[:2] == b"PK"
    bad = await client.get("/api/alignment/reports/nonsense/csv")
    assert bad.status_code in (400, 404)


async def test_suggestions_rank_national_risks_and_accepting_links_them(client, picture) -> None:
    suggestions = (await client.get("/api/alignment/suggestions", params={"area": "wales"})).json()
    by_ref = {r["reference"]: r for r in suggestions["risks"]}
    assert set(by_ref) == {"W3", "W4"}  # only unaligned Area risks
    best = by_ref["W3"]["suggestions"]
    assert best == sorted(best, key=lambda s: -s["score"])
    assert best[0]["reference"] == "N4"  # same category, "flood" and "office" in common
    assert best[0]["same_category"] is True
    accepted = await client.post(
        "/api/alignment/suggestions/accept",
        json={"area_risk_id": picture["W3"], "national_risk_id": best[0]["national_risk_id"]},
    )
    assert accepted.status_code == 201, accepted.text
    assert accepted.json()["source"] == "suggestion"
    assert accepted.json()["score"] == best[0]["score"]
    report = (await client.get("/api/alignment/reports/alignment", params={"area": "wales"})).json()
    assert report["areas"][0]["aligned"] == 3


async def test_links_are_confirmed_or_rejected_by_whom_and_when(client, picture, auth_headers) -> None:
    leader = await auth_headers(Role.AREA_LEADER, "wales")
    suggested = await client.post(
        "/api/alignment/links",
        headers=leader,
        json={"area_risk_id": picture["W4"], "national_risk_id": picture["N3"], "status": "suggested"},
    )
    assert suggested.status_code == 201, suggested.text
    assert suggested.json()["decided_by"] is None
    url = f"/api/alignment/links/{suggested.json()['id']}"
    rejected = await client.post(
        f"{url}/reject", json={"rationale": "different hazard"}, headers={**leader, **await if_match(client, url)}
    )
    assert rejected.status_code == 200, rejected.text
    assert rejected.json()["status"] == "rejected"
    assert rejected.json()["decided_by"] == "test-area-leader-wales"
    duplicate = await client.post(
        "/api/alignment/links", headers=leader, json={"area_risk_id": picture["W4"], "national_risk_id": picture["N3"]}
    )
    assert duplicate.status_code == 409
    stale = await client.post(f"{url}/confirm", json={}, headers={**leader, "If-Match": '"1"'})
    assert stale.status_code == 412


async def test_an_area_leader_cannot_align_another_areas_risks(client, picture, auth_headers) -> None:
    london_leader = await auth_headers(Role.AREA_LEADER, "london")
    refused = await client.post(
        "/api/alignment/links",
        headers=london_leader,
        json={"area_risk_id": picture["W4"], "national_risk_id": picture["N3"]},
    )
    assert refused.status_code == 403
    refused = await client.post(
        f"/api/alignment/registers/{picture['registers']['wales']}/reconcile-references", headers=london_leader
    )
    assert refused.status_code == 403


async def test_bad_link_requests_name_the_field(client, picture) -> None:
    national_as_area = await client.post(
        "/api/alignment/links", json={"area_risk_id": picture["N1"], "national_risk_id": picture["N2"]}
    )
    assert national_as_area.status_code == 422
    assert national_as_area.json()["errors"][0]["field"] == "area_risk_id"
    area_as_national = await client.post(
        "/api/alignment/links", json={"area_risk_id": picture["W4"], "national_risk_id": picture["W3"]}
    )
    assert area_as_national.status_code == 422
    assert area_as_national.json()["errors"][0]["field"] == "national_risk_id"
    malformed = await client.post("/api/alignment/links", json={"area_risk_id": "x", "national_risk_id": 3})
    assert malformed.status_code == 422
    assert {e["field"] for e in malformed.json()["errors"]} == {"area_risk_id", "national_risk_id"}
    unknown_area = await client.get("/api/alignment/reports/alignment", params={"area": "atlantis"})
    assert unknown_area.status_code == 422
    assert unknown_area.json()["errors"][0]["field"] == "area"
    assert (await client.get("/api/alignment/links", params={"page_size": 0})).status_code == 400
    links_before = (await client.get("/api/alignment/links")).json()["total"]
    assert links_before == 3  # nothing written by the refused requests
