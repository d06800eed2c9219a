"""config/alignment.toml, loaded once at start-up."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from risk_register.alignment.suggestions import SuggestionWeights, load_weights


@dataclass(frozen=True)
class AlignmentSettings:
    weights: SuggestionWeights
    divergence_margin: int
    escalation_threshold: int


def load_alignment_settings(config_dir: Path) -> AlignmentSettings:
    with (config_dir / "alignment.toml").open("rb") as fh:
        raw = tomllib.load(fh)["reports"]
    return AlignmentSettings(
        weights=load_weights(config_dir),
        divergence_margin=int(raw["divergence_margin"]),
        escalation_threshold=int(raw["escalation_threshold"]),
    )
