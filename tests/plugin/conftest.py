"""Tests of the pytest plugin and its scrubbing: the plugin's fixtures, imported until its entry point is registered."""

from __future__ import annotations

from omnigate_openai.testing.pytest_plugin import (  # noqa: F401
    local_gateway,
    omnigate_record_mode,
    omnigate_recorder,
    omnigate_vcr_config,
    pytest_configure,
)
