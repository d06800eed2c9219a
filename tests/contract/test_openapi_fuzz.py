"""schemathesis against the app's OpenAPI schema, signed in as an admin and as an Area leader (north-west).

Fails on any 5xx, any response that breaks its schema, any status code or content type the schema does not
declare for that operation, valid data refused and invalid data accepted: config/schemathesis.toml lists the
checks and the few settings that differ from schemathesis' defaults, each with its reason."""

from __future__ import annotations

from typing import Any, cast

import pytest
import schemathesis
from schemathesis.python import asgi

from tests.contract.conftest import SCHEMA_PATH, ContractEnv, RunStats, contract_envs, env_of

# Sign-out revokes the token it is sent with: each of its cases gets a token of its own.
REVOKES_OWN_TOKEN = "POST /api/auth/logout"

ENVS = contract_envs()


@schemathesis.pytest.parametrize(**{name: env.schema for name, env in ENVS.items()})
def test_openapi_contract(
    case: schemathesis.Case, prepared_contract_envs: dict[str, ContractEnv], contract_stats: RunStats
) -> None:
    env = env_of(case)
    headers = env.disposable_headers() if case.operation.label == REVOKES_OWN_TOKEN else env.headers
    contract_stats.record(env.name, case)
    case.call_and_validate(headers=headers)


@pytest.mark.parametrize("name", list(ENVS))
def test_the_fuzzed_schema_is_the_served_one(name: str, prepared_contract_envs: dict[str, ContractEnv]) -> None:
    env = prepared_contract_envs[name]
    # Through schemathesis' own client, so the app keeps the one lifespan the fuzzing runs in.
    with asgi.get_client(cast(Any, env.app)) as client:
        response = client.get(SCHEMA_PATH)
    assert response.status_code == 200
    assert response.json() == env.document
