"""The HICP catalog: threats, practices and sub-practices as validated data."""

from hicp.catalog.catalog import Catalog
from hicp.catalog.loader import default_catalog, load_catalog
from hicp.catalog.models import Effort, Practice, SubPractice, Threat, Tier

__all__ = [
    "Catalog",
    "Effort",
    "Practice",
    "SubPractice",
    "Threat",
    "Tier",
    "default_catalog",
    "load_catalog",
]
