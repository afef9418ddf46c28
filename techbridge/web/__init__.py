"""The web platform: server-rendered pages and their JSON twins under /api."""

from techbridge.web.app import create_app

__all__ = ["create_app"]
