"""CORS: configured browser origins may read the public GETs; POST stays closed unless opened."""

from __future__ import annotations

from tests.open311.conftest import ClientFactory

PARTNER_SITE = "https://map.partner.example"
PREFLIGHT = {"Origin": PARTNER_SITE, "Access-Control-Request-Method": "GET"}


def test_no_origin_is_allowed_by_default(make_client: ClientFactory) -> None:
    o311 = make_client()
    response = o311.http.get("/open311/v2/services.json", headers={"Origin": PARTNER_SITE})
    assert response.status_code == 200
    assert "access-control-allow-origin" not in response.headers


def test_preflight_and_get_carry_the_origin(make_client: ClientFactory) -> None:
    o311 = make_client(cors_allowed_origins=(PARTNER_SITE,))
    preflight = o311.http.options("/open311/v2/requests.json", headers=PREFLIGHT)
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == PARTNER_SITE
    assert preflight.headers["access-control-allow-methods"] == "GET, HEAD"
    for path in ("services.json", "services.xml", "services/E0301.json", "requests.json"):
        response = o311.http.get(f"/open311/v2/{path}", headers={"Origin": PARTNER_SITE})
        assert response.status_code == 200, response.text
        assert response.headers["access-control-allow-origin"] == PARTNER_SITE
        assert "Origin" in response.headers["vary"]
    other = o311.http.get("/open311/v2/services.json", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers


def test_post_is_not_opened_to_browsers(make_client: ClientFactory, partner_key: str) -> None:
    o311 = make_client(cors_allowed_origins=(PARTNER_SITE,))
    preflight = o311.http.options(
        "/open311/v2/requests.json",
        headers={**PREFLIGHT, "Access-Control-Request-Method": "POST"},
    )
    assert "access-control-allow-origin" not in preflight.headers
    posted = o311.http.post(
        "/open311/v2/requests.json",
        data={
            "api_key": partner_key,
            "service_code": "E0301",
            "lat": "36.6512",
            "long": "117.1201",
            "description": "噪音",
        },
        headers={"Origin": PARTNER_SITE},
    )
    assert posted.status_code == 200, posted.text
    assert "access-control-allow-origin" not in posted.headers


def test_post_opened_when_configured(make_client: ClientFactory) -> None:
    o311 = make_client(cors_allowed_origins=(PARTNER_SITE,), cors_allow_post=True)
    preflight = o311.http.options(
        "/open311/v2/requests.json",
        headers={**PREFLIGHT, "Access-Control-Request-Method": "POST"},
    )
    assert preflight.headers["access-control-allow-origin"] == PARTNER_SITE
    assert "POST" in preflight.headers["access-control-allow-methods"]
    assert preflight.headers["access-control-allow-headers"] == "Content-Type"
