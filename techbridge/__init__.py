"""techbridge (技术桥): a one-stop technology-transfer and technology-trading platform."""

__version__ = "0.1.0"
__all__ = ["__version__"]
