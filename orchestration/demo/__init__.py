"""A deterministic, realistic demo company (landing folder) with its ground truth in ``_expected/``."""

from orchestration.demo.generator import DemoSummary, generate_demo

__all__ = ["DemoSummary", "generate_demo"]
