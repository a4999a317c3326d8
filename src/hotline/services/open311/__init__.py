"""Open311 GeoReport v2 as services: the public view of cases, the service catalog, filing
through intake, mySociety's servicerequestupdates, partner keys (docs/open311.md)."""

from hotline.services.open311.catalog import list_services, service_definition
from hotline.services.open311.filing import Submission, file_request
from hotline.services.open311.partners import (
    Partner,
    authenticate_partner,
    create_key,
    list_partners,
    revoke_keys,
)
from hotline.services.open311.queries import (
    RequestQuery,
    get_request,
    list_requests,
    resolve_token,
)
from hotline.services.open311.redaction import redact
from hotline.services.open311.settings import Open311Settings
from hotline.services.open311.updates import PartnerUpdate, UpdateQuery, list_updates, post_update

__all__ = [
    "Open311Settings",
    "Partner",
    "PartnerUpdate",
    "RequestQuery",
    "Submission",
    "UpdateQuery",
    "authenticate_partner",
    "create_key",
    "file_request",
    "get_request",
    "list_partners",
    "list_requests",
    "list_services",
    "list_updates",
    "post_update",
    "redact",
    "resolve_token",
    "revoke_keys",
    "service_definition",
]
