"""Workbook commands of the CLI (template, fill, verify, batch) — added as they land."""

from __future__ import annotations

import argparse


def add_commands(sub: argparse._SubParsersAction) -> None:
    return None
