"""Tests of the pytest plugin and its scrubbing; the plugin itself comes from its `pytest11` entry point."""
