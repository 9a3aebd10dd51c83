"""Which cloud answers: an explicit cloud wins, then the country, then the client IP; unknown -> default."""

import pytest

from thumbrouter.router import Router, Settings, get_download_urls, get_upload_target
from thumbrouter.router.errors import BadRequest
from thumbrouter.router.service import reset_default_router


@pytest.fixture
def router(make_router):
    return make_router()


@pytest.mark.parametrize("kwargs, cloud", [
    ({"cloud": "qiniu"}, "qiniu"),
    ({"cloud": "s3"}, "s3"),
    ({"cloud": "s3", "country": "CN", "client_ip": "114.114.114.114"}, "s3"),      # cloud beats location
    ({"cloud": "qiniu", "country": "US", "client_ip": "8.8.8.8"}, "qiniu"),
    ({"cloud": "QINIU"}, "qiniu"),
    ({"country": "CN"}, "qiniu"),
    ({"country": "cn"}, "qiniu"),
    ({"country": "US"}, "s3"),
    ({"country": "DE", "client_ip": "114.114.114.114"}, "s3"),                    # country beats IP
    ({"country": "CN", "client_ip": "8.8.8.8"}, "qiniu"),
    ({"client_ip": "114.114.114.114"}, "qiniu"),                                  # CN (geoip2fast)
    ({"client_ip": "240e::1"}, "qiniu"),                                          # CN over IPv6
    ({"client_ip": "8.8.8.8"}, "s3"),                                             # US
    ({"client_ip": "2001:4860:4860::8888"}, "s3"),
    ({"client_ip": "127.0.0.1"}, "s3"),                                           # unknown -> default
    ({"client_ip": "10.0.0.7"}, "s3"),
    ({"client_ip": "garbage"}, "s3"),
    ({}, "s3"),
])
def test_the_routing_matrix(router, kwargs, cloud):
    assert router.choose_cloud(**kwargs) == cloud
    assert router.download_urls("photos/a.jpg", **kwargs).cloud == cloud


def test_domestic_countries_are_configurable(make_router):
    router = make_router(DOMESTIC_COUNTRIES="CN,HK")
    assert [router.choose_cloud(country=c) for c in ("CN", "HK", "TW")] == ["qiniu", "qiniu", "s3"]


def test_the_default_cloud_is_configurable(make_router):
    router = make_router(DEFAULT_CLOUD="qiniu")
    assert [router.choose_cloud(client_ip=ip) for ip in ("8.8.8.8", "127.0.0.1")] == ["qiniu", "qiniu"]


def test_an_empty_domestic_list_routes_everyone_to_the_default(make_router):
    router = make_router(DOMESTIC_COUNTRIES="", QINIU_ACCESS_KEY=None, QINIU_SECRET_KEY=None,
                         QINIU_BUCKET=None, QINIU_DOMAIN=None)
    assert router.choose_cloud(country="CN", client_ip="114.114.114.114") == "s3"


def test_uploads_follow_the_same_location_rule(router):
    assert router.upload_target("u/a.jpg", country="CN", size=10).cloud == "qiniu"
    assert router.upload_target("u/a.jpg", client_ip="114.114.114.114", size=10).cloud == "qiniu"
    assert router.upload_target("u/a.jpg", client_ip="8.8.8.8", size=10).cloud == "s3"
    assert router.upload_target("u/a.jpg", size=10).cloud == "s3"


def test_a_malformed_country_is_rejected_even_with_a_cloud(router):
    with pytest.raises(BadRequest, match="country"):
        router.download_urls("a.jpg", cloud="s3", country="China")


def test_module_functions_use_a_router_built_from_the_environment(router_env, monkeypatch):
    for name, value in router_env.items():
        monkeypatch.setenv(name, value)
    reset_default_router()
    try:
        urls = get_download_urls("photos/a.jpg", client_ip="114.114.114.114")
        assert urls.cloud == "qiniu" and urls.download_url.startswith("https://img.example.com/photos/a.jpg?e=")
        assert get_upload_target("u/a.jpg", country="US", size=10).cloud == "s3"
    finally:
        reset_default_router()


def test_results_serialise_to_json_dicts(router):
    urls = router.download_urls("photos/a.jpg", country="CN")
    assert urls.to_dict() == {"cloud": "qiniu", "download_url": urls.download_url,
                              "thumbnail_url": urls.thumbnail_url, "expires_at": urls.expires_at}
    assert isinstance(urls.expires_at, int)


def test_hand_made_settings_without_qiniu_never_route_to_it():
    router = Router.from_settings(Settings(s3_bucket="photos"))  # domestic CN by default, no Qiniu
    assert router.choose_cloud(country="CN") == "s3"
