"""Reproduction notebooks' toolkit: profiles, devices, seeds, checks and result files.

Notebooks import from here; nothing here is copied between notebooks.
"""

from .checks import Reproduction
from .environment import current_profile, project_root, seed_everything, select_device
from .seeds import SeedTable, by_unit

__all__ = [
    "Reproduction",
    "SeedTable",
    "by_unit",
    "current_profile",
    "project_root",
    "seed_everything",
    "select_device",
]
