"""How to make an in-scope and an out-of-scope request for every write endpoint an Area-scoped role can use.

The matrix test (tests/integration/test_access_matrix.py) refuses to pass while a write endpoint whose
Permission an Area-scoped role holds (Area leader, Area H&S lead) has no case here. Add one case per
(method, OpenAPI path). ``build(client, area_code)`` sets up, as admin (``client`` is signed in as one), a
record in ``area_code`` and returns the request that would change it: (url, json body or None, extra headers
such as If-Match). The test then sends that request as a user scoped to one Area and expects 2xx in their own
Area and 403 in another, with nothing written.
"""

from __future__ import annotations

from tests.access import scope_cases_alignment, scope_cases_hazards, scope_cases_registers
from tests.access.scope_types import ScopeCase

SCOPE_CASES: list[ScopeCase] = [
    *scope_cases_hazards.CASES,
    *scope_cases_registers.CASES,
    *scope_cases_alignment.CASES,
]
