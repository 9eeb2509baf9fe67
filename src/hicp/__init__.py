"""hicp: assess a healthcare organization against HHS 405(d) HICP and plan what to do next."""

__version__ = "0.1.0"
