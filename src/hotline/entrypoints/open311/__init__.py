"""Open311 GeoReport v2 over HTTP: XML and JSON wire formats, mounted at /open311/v2."""

from hotline.entrypoints.open311.app import MOUNT_PATH, create_open311_app

__all__ = ["MOUNT_PATH", "create_open311_app"]
