"""Bundled example inputs: the reference unit of the seed report (2024)."""

from __future__ import annotations

import json
from pathlib import Path

from ..engine.fields import inputs_from_dict
from ..engine.inputs import Inputs


def reference_data() -> dict:
    """The reference unit's inputs as plain data (see reference-2024.json)."""
    return json.loads((Path(__file__).parent / "reference-2024.json").read_text("utf-8"))


def reference_inputs() -> Inputs:
    return inputs_from_dict(reference_data())
