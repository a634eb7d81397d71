"""newsmirror: mirror, archive, search and publish Chinese-language news."""

__version__ = "0.1.0"
__all__ = ["__version__"]
