"""The GeoReport v2 endpoints (and mySociety's servicerequestupdates), each in .xml and .json.

Handlers only read arguments, check the key and limits, call one service and render; every rule
about cases lives in :mod:`hotline.services.open311`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.endpoints import HTTPEndpoint
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from hotline.entrypoints.open311.errors import Open311Error
from hotline.entrypoints.open311.guard import (
    KeyCache,
    TokenBuckets,
    client_address,
    enforce,
    key_hash,
    read_body,
)
from hotline.entrypoints.open311.params import Params, decode_form, parse_pairs
from hotline.entrypoints.open311.wire import FORMATS, render
from hotline.services import open311 as service
from hotline.services.context import Hotline

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
NO_STORE = {"Cache-Control": "no-store"}


@dataclass
class Runtime:
    hotline: Hotline
    cfg: service.Open311Settings
    per_key: TokenBuckets
    per_address: TokenBuckets
    keys: KeyCache


def runtime(request: Request) -> Runtime:
    state: Runtime = request.app.state.open311
    return state


def _format(request: Request) -> str:
    fmt: str = request.path_params["fmt"]
    if fmt not in FORMATS:
        raise Open311Error(400, f"format .{fmt} is not supported: use .xml or .json")
    return fmt


def _query(request: Request, rt: Runtime) -> Params:
    params = Params(parse_pairs(request.url.query, rt.cfg.max_fields))
    _check_jurisdiction(params, rt)
    return params


def _check_jurisdiction(params: Params, rt: Runtime) -> None:
    given, ours = params.text("jurisdiction_id"), rt.cfg.jurisdiction_id
    if given is not None and ours is not None and given != ours:
        raise Open311Error(404, f"jurisdiction_id {given} not found")


async def _form(request: Request, rt: Runtime) -> Params:
    """Body and query string together (api_key may come in either); the body wins."""
    body = await read_body(request, rt.cfg.max_body_bytes)
    pairs = decode_form(body, request.headers.get("content-type"), rt.cfg.max_fields)
    params = Params(pairs + parse_pairs(request.url.query, rt.cfg.max_fields))
    _check_jurisdiction(params, rt)
    return params


def _partner(rt: Runtime, api_key: str) -> service.Partner | None:
    digest = key_hash(api_key)
    cached = rt.keys.get(digest)
    if cached is not None:
        return cached.partner
    partner = service.authenticate_partner(rt.hotline, rt.cfg, api_key, rt.hotline.now())
    rt.keys.put(digest, partner)
    return partner


def admit(rt: Runtime, address: str, api_key: str | None, action: str) -> service.Partner:
    """The partner behind the key, within its limits; refusals count against the address so
    that guessing keys is throttled too."""
    partner = _partner(rt, api_key) if api_key else None
    if partner is None:
        enforce(rt.per_address, address, "client address")
        reason = "Invalid api_key received" if api_key else "api_key was not provided"
        raise Open311Error(403, f"{reason} -- can't proceed with {action}.")
    if not partner.exempt_from_rate_limit:
        enforce(rt.per_address, address, "client address")
        enforce(rt.per_key, key_hash(api_key or ""), "api_key")
    return partner


def _base_url(request: Request, rt: Runtime) -> str:
    """Where this endpoint is mounted, as the client reached it (or as configured)."""
    if rt.cfg.base_url:
        return rt.cfg.base_url.rstrip("/")
    return str(request.url_for("discovery", fmt="xml")).removesuffix("/discovery.xml")


def discovery_document(rt: Runtime, url: str) -> dict[str, Any]:
    cfg = rt.cfg
    return {
        "changeset": cfg.changeset,
        "contact": cfg.contact,
        "key_service": cfg.key_service,
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": url,
                "changeset": cfg.changeset,
                "type": cfg.endpoint_type,
                "formats": ["text/xml", "application/json"],
            }
        ],
    }


def discovery(request: Request) -> Response:
    rt = runtime(request)
    fmt = _format(request)
    _query(request, rt)
    return render(fmt, "discovery", discovery_document(rt, _base_url(request, rt)))


def services(request: Request) -> Response:
    rt = runtime(request)
    fmt = _format(request)
    _query(request, rt)
    return render(fmt, "services", service.list_services(rt.hotline))


def service_definition(request: Request) -> Response:
    rt = runtime(request)
    fmt = _format(request)
    _query(request, rt)
    code = request.path_params["service_code"]
    return render(fmt, "service_definition", service.service_definition(rt.hotline, code))


def _submission(params: Params) -> service.Submission:
    text = params.text
    return service.Submission(
        service_code=text("service_code"),
        lat=params.number("lat"),
        long=params.number("long"),
        address_string=text("address_string"),
        address_id=text("address_id"),
        description=text("description"),
        attributes=params.attributes(),
        first_name=text("first_name"),
        last_name=text("last_name"),
        phone=text("phone"),
        email=text("email"),
        device_id=text("device_id"),
        account_id=text("account_id"),
        media_url=text("media_url"),
    )


async def create_request(request: Request) -> Response:
    rt = runtime(request)
    fmt = _format(request)
    params = await _form(request, rt)
    address, key = client_address(request), params.text("api_key")

    def work() -> list[dict[str, Any]]:  # one trip to the thread pool: the key first, then filing
        partner = admit(rt, address, key, "create_request")
        return service.file_request(rt.hotline, partner, _submission(params), rt.hotline.now())

    created = await run_in_threadpool(work)
    return render(fmt, "service_requests", created, headers=NO_STORE)


def _page(params: Params) -> int:
    page = params.integer("page")
    return 1 if page is None else page


def _request_query(params: Params, rt: Runtime) -> service.RequestQuery:
    tz = rt.hotline.settings.tz
    return service.RequestQuery(
        service_request_ids=params.listed("service_request_id"),
        service_codes=params.listed("service_code"),
        statuses=tuple(status.lower() for status in params.listed("status")),
        start_date=params.moment("start_date", tz),
        end_date=params.moment("end_date", tz),
        updated_after=params.moment("updated_after", tz),
        updated_before=params.moment("updated_before", tz),
        page=_page(params),
        page_size=params.integer("page_size"),
        extensions=params.boolean("extensions"),
    )


def list_requests(request: Request) -> Response:
    rt = runtime(request)
    fmt = _format(request)
    query = _request_query(_query(request, rt), rt)
    found = service.list_requests(rt.hotline, rt.cfg, query, rt.hotline.now())
    return render(fmt, "service_requests", found)


def get_request(request: Request) -> Response:
    rt = runtime(request)
    fmt = _format(request)
    extensions = _query(request, rt).boolean("extensions")
    number = request.path_params["service_request_id"]
    found = service.get_request(rt.hotline, rt.cfg, number, extensions)
    return render(fmt, "service_requests", found)


def token(request: Request) -> Response:
    rt = runtime(request)
    fmt = _format(request)
    _query(request, rt)
    found = service.resolve_token(rt.hotline, rt.cfg, request.path_params["token"])
    return render(fmt, "service_requests", found)


def list_updates(request: Request) -> Response:
    rt = runtime(request)
    fmt = _format(request)
    params, tz = _query(request, rt), rt.hotline.settings.tz
    query = service.UpdateQuery(
        start_date=params.moment("start_date", tz),
        end_date=params.moment("end_date", tz),
        page=_page(params),
        page_size=params.integer("page_size"),
    )
    found = service.list_updates(rt.hotline, rt.cfg, query, rt.hotline.now())
    return render(fmt, "service_request_updates", found)


def _partner_update(params: Params, rt: Runtime) -> service.PartnerUpdate:
    return service.PartnerUpdate(
        service_request_id=params.text("service_request_id"),
        # FixMyStreet, posting as a client, names its own id update_id_ext
        update_id=params.text("update_id") or params.text("update_id_ext"),
        updated_datetime=params.moment("updated_datetime", rt.hotline.settings.tz),
        status=params.text("status"),
        description=params.text("description"),
        media_url=params.text("media_url"),
    )


async def post_update(request: Request) -> Response:
    rt = runtime(request)
    fmt = _format(request)
    params = await _form(request, rt)
    address, key, update = (
        client_address(request),
        params.text("api_key"),
        _partner_update(params, rt),
    )

    def work() -> list[dict[str, Any]]:
        partner = admit(rt, address, key, "post_service_request_update")
        return service.post_update(rt.hotline, partner, update, rt.hotline.now())

    posted = await run_in_threadpool(work)
    return render(fmt, "service_request_updates", posted, headers=NO_STORE)


class _Requests(HTTPEndpoint):
    """``requests.{fmt}``: GET lists, POST files; another method is a 405 naming both."""

    def get(self, request: Request) -> Response:
        return list_requests(request)

    async def post(self, request: Request) -> Response:
        return await create_request(request)


class _Updates(HTTPEndpoint):
    """``servicerequestupdates.{fmt}``: GET lists, POST posts an update."""

    def get(self, request: Request) -> Response:
        return list_updates(request)

    async def post(self, request: Request) -> Response:
        return await post_update(request)


# GET handlers are plain functions (run in the thread pool); the POSTs read the body first and
# then make one trip to the thread pool. A bare Starlette router: the FastAPI layer (dependency
# solving, a second middleware stack) cost about a quarter of what parsing, admitting and
# answering a POST costs here.
ROUTES: list[BaseRoute] = [
    Route("/discovery.{fmt}", discovery, methods=["GET"]),
    Route("/services.{fmt}", services, methods=["GET"]),
    Route("/services/{service_code}.{fmt}", service_definition, methods=["GET"]),
    Route("/requests.{fmt}", _Requests),
    Route("/requests/{service_request_id}.{fmt}", get_request, methods=["GET"]),
    Route("/tokens/{token}.{fmt}", token, methods=["GET"]),
    Route("/servicerequestupdates.{fmt}", _Updates),
]
