"""EcoLoop — monitoring data in, official indicators out, every problem driven to a verified close."""

__version__ = "0.1.0"
