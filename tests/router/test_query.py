"""router.query: the query string parsed as Werkzeug's request.args is, memoised, and raw non-UTF-8 bytes as 400."""

import random

import pytest
from werkzeug.test import Client, EnvironBuilder
from werkzeug.wrappers import Request

from thumbrouter.router import BadRequest, create_app, query

from .http_helpers import AUTH, router_env


@pytest.fixture(scope="module")
def client(s3_server):
    # Werkzeug's plain client: the OpenAPI check of FlaskClient reads request.args, which raw bytes break.
    return Client(create_app(router_env("photos")))


TRICKY = [
    "", "key=a.jpg", "key=a.jpg&cloud=s3", "key=&cloud=", "key", "=x", "&&key=a.jpg&&", "key=a+b.jpg",
    "key=a%2Bb.jpg", "key=%FF.jpg", "key=%e4%b8%ad.jpg", "key=%zz%2", "key=a.jpg;cloud=s3", "key=a=b=c",
    "key=a.jpg&key=b.jpg", "cloud=s3&key=first&key=second", "key=%00.jpg", "k%65y=a.jpg", "KEY=a.jpg",
    "key=a%20b&filename=%22x%22.jpg", "expires=123&sig=AbC-_d", "key=\u00e4.jpg".encode().decode("latin-1"),
]


def werkzeug_args(query_string: str) -> dict:
    environ = EnvironBuilder(path="/").get_environ()
    environ["QUERY_STRING"] = query_string
    return Request(environ).args.to_dict()


@pytest.mark.parametrize("query_string", TRICKY)
def test_first_values_are_what_werkzeugs_request_args_gives(query_string):
    assert dict(query.first_values({"QUERY_STRING": query_string})) == werkzeug_args(query_string)


def test_random_query_strings_parse_as_werkzeug_parses_them():
    rng, alphabet = random.Random(3), "ab=&;+%2F0fFzZ\u00e4 ."
    for _ in range(2000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 24)))
        raw = text.encode().decode("latin-1")  # what a WSGI server passes for those UTF-8 bytes
        assert dict(query.first_values({"QUERY_STRING": raw})) == werkzeug_args(raw), raw


def test_a_memoised_answer_cannot_be_changed_by_its_caller():
    fields = query.first_values({"QUERY_STRING": "key=a.jpg"})
    with pytest.raises(TypeError):
        fields["key"] = "other.jpg"  # type: ignore[index]
    assert query.first_values({"QUERY_STRING": "key=a.jpg"})["key"] == "a.jpg"


def test_the_memo_is_bounded_and_long_query_strings_are_not_kept():
    for n in range(query.MEMO_SIZE + 50):
        query.first_values({"QUERY_STRING": f"key=bound-{n}.jpg"})
    assert query._memo.cache_info().currsize == query.MEMO_SIZE
    long = "key=" + "a" * query.MEMO_CHARS + ".jpg"
    misses = query._memo.cache_info().misses
    assert query.first_values({"QUERY_STRING": long})["key"].endswith("a.jpg")
    assert query._memo.cache_info().misses == misses  # parsed, never looked up nor stored


@pytest.mark.parametrize("raw", ["key=\xff.jpg", "key=a.jpg&cloud=\xc3", "\xe4=1"])
def test_a_query_string_that_is_not_utf8_is_a_bad_request(raw):
    with pytest.raises(BadRequest, match="not UTF-8"):
        query.first_values({"QUERY_STRING": raw})



def test_raw_non_utf8_bytes_in_the_query_are_a_400_naming_it(client):
    # What gunicorn passes for raw bytes in the request line (tests/router/test_gunicorn.py sends them for real).
    response = client.get("/v1/download-urls", headers=AUTH, environ_overrides={"QUERY_STRING": "key=\xff\xfe.jpg"})
    assert response.status_code == 400 and response.json["error"]["code"] == "bad_request"
    assert "not UTF-8" in response.json["error"]["message"]
    response = client.get("/v1/download-urls", headers=AUTH, environ_overrides={"QUERY_STRING": "key=%FF.jpg"})
    assert response.status_code == 200 and "/%25FF.jpg?" in response.json["download_url"]  # the same bytes, encoded
