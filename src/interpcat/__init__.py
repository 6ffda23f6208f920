"""interpcat: an interpretability literature knowledge base and reproduction catalog."""

from .catalog import Catalog, check_catalog, load_catalog
from .problems import CatalogError, Problem

__version__ = "0.1.0"
__all__ = ["Catalog", "CatalogError", "Problem", "__version__", "check_catalog", "load_catalog"]
