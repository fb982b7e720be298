"""One module per endpoint family; `create_app` mounts the routes of each, in this order."""

from __future__ import annotations

from starlette.routing import BaseRoute

from omnigate_openai.testing._routes.account import routes as account_routes
from omnigate_openai.testing._routes.admin import routes as admin_routes
from omnigate_openai.testing._routes.chat import routes as chat_routes
from omnigate_openai.testing._routes.health import routes as health_routes
from omnigate_openai.testing._routes.keys import routes as keys_routes
from omnigate_openai.testing._routes.metrics import routes as metrics_routes
from omnigate_openai.testing._routes.models import routes as models_routes

ROUTES: list[BaseRoute] = [
    *chat_routes,
    *models_routes,
    *metrics_routes,
    *keys_routes,
    *account_routes,
    *admin_routes,
    *health_routes,
]

__all__ = ["ROUTES"]
