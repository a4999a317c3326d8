"""hotline: the case system of a city-management citizen hotline (城管热线)."""

__version__ = "0.1.0"
