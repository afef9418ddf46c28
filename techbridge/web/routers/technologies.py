"""Technology (成果) pages and API."""

from techbridge.web.routers._listing_routes import listing_router

router = listing_router("technologies")
NAV = [(20, "nav.technologies", "/technologies")]
