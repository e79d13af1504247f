"""A client library for accessing RunningHub image-to-video (realistic)"""

from .client import AuthenticatedClient, Client

__all__ = (
    "AuthenticatedClient",
    "Client",
)
