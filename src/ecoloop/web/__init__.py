"""The web platform: JSON API under /api/v1, server-rendered pages, public reporting (Open311)."""
