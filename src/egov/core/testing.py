"""Helpers for tests (imported only from tests: it imports pytest)."""

from __future__ import annotations

import shutil
import subprocess

import pytest


def require_program(name: str, package: str) -> str:
    """The path of the program ``name``; skips the test when it is not installed, naming the
    Debian package to install (``scripts/install-system-deps.sh`` installs it when it can)."""
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} not installed: apt-get install {package}")
    return path


def run_program(
    name: str, package: str, *args: str, input: bytes | None = None, timeout: float = 60
) -> str:
    """Run a system program that the test needs (skipping when it is missing) and return its
    standard output as text; a non-zero exit fails the test with the program's error output."""
    path = require_program(name, package)
    result = subprocess.run(
        [path, *args], input=input, capture_output=True, timeout=timeout, check=False
    )
    if result.returncode != 0:
        pytest.fail(
            f"{name} {' '.join(args)} exited {result.returncode}: {result.stderr.decode(errors='replace')}"
        )
    return result.stdout.decode("utf-8")
