"""lambda/router_lambda.py in this process: Function URL events reach the one app factory's app with their
query, cookies, headers, body and client address intact, and answers go back in the Function URL's shape."""

import base64
import importlib
import io
import json
import sys

import pytest
from flask import jsonify, make_response, request

from tests.lambda_handler import helpers  # noqa: F401 -- puts lambda/ on sys.path
from tests.support.function_url import answer_body, function_url_event

TOKEN = "router-token-0123456789abcdef"


def load_entry(monkeypatch, s3_server, **env):
    """A fresh import of router_lambda (its app is built at import, from the environment)."""
    environ = {"AWS_ENDPOINT_URL_S3": s3_server.url, "THUMBROUTER_S3_BUCKET": "photos",
               "THUMBROUTER_DOMESTIC_COUNTRIES": "", "THUMBROUTER_ONDEMAND": "0", **env}
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(sys, "stdout", io.StringIO())  # where the entry writes its EMF lines
    sys.modules.pop("router_lambda", None)
    return importlib.import_module("router_lambda")


@pytest.fixture
def entry(monkeypatch, s3_server):
    module = load_entry(monkeypatch, s3_server, THUMBROUTER_API_TOKENS=TOKEN)

    @module.APP.post("/echo")
    def echo():
        response = make_response(jsonify(
            args=request.args.to_dict(flat=False), cookies=request.cookies, remote_addr=request.remote_addr,
            header=request.headers.get("X-Mixed-Case"), scheme=request.scheme, host=request.host,
            body=base64.b64encode(request.get_data()).decode()))
        response.set_cookie("first", "1")
        response.set_cookie("second", "2")
        return response

    return module


def echo(entry, **kwargs) -> dict:
    answer = entry.handler(function_url_event("POST", "/echo", **kwargs), None)
    assert answer["statusCode"] == 200, answer_body(answer)
    return answer


def test_repeated_query_parameters_arrive_in_order(entry):
    answer = echo(entry, query="tag=a&tag=b%20c&key=x%2By")
    assert json.loads(answer_body(answer))["args"] == {"tag": ["a", "b c"], "key": ["x+y"]}


def test_request_cookies_arrive_and_each_set_cookie_goes_back_apart(entry):
    answer = echo(entry, cookies=["session=abc", "theme=dark"])
    assert json.loads(answer_body(answer))["cookies"] == {"session": "abc", "theme": "dark"}
    assert [c.split(";")[0] for c in answer["cookies"]] == ["first=1", "second=2"]
    assert "set-cookie" not in answer["headers"]


def test_the_client_is_the_source_ip_not_a_forwarded_for_header_it_wrote(entry):
    answer = echo(entry, source_ip="198.51.100.9", headers={"X-Forwarded-For": "127.0.0.1"})
    seen = json.loads(answer_body(answer))
    assert seen["remote_addr"] == "198.51.100.9"
    assert (seen["scheme"], seen["host"].endswith(".lambda-url.us-east-1.on.aws")) == ("https", True)


def test_header_names_match_whatever_their_case_and_a_binary_body_round_trips(entry):
    body = bytes(range(256))
    seen = json.loads(answer_body(echo(entry, headers={"X-Mixed-Case": "Value Kept"}, body=body)))
    assert seen["header"] == "Value Kept"
    assert base64.b64decode(seen["body"]) == body


def test_an_anonymous_router_refuses_a_public_source_ip_even_with_a_loopback_forwarded_for(monkeypatch, s3_server):
    module = load_entry(monkeypatch, s3_server, THUMBROUTER_ALLOW_ANONYMOUS="1")
    spoofed = function_url_event("GET", "/healthz", source_ip="203.0.113.7", headers={"X-Forwarded-For": "127.0.0.1"})
    assert module.handler(spoofed, None)["statusCode"] == 403
    assert module.handler(function_url_event("GET", "/healthz", source_ip="127.0.0.1"), None)["statusCode"] == 200


def test_every_answer_writes_one_emf_line_and_the_first_carries_the_cold_start(entry):
    entry.handler(function_url_event("GET", "/healthz"), None)
    entry.handler(function_url_event("GET", "/v1/download-urls", "key=a.jpg"), None)  # no token: 401
    stream = entry.APP.extensions["thumbrouter.emf"].stream
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [line["route"] for line in lines] == ["/healthz", "/v1/download-urls"]
    assert lines[0]["ColdStart"] == 1 and lines[0]["InitDuration"] > 0 and "ColdStart" not in lines[1]
    assert (lines[1]["status"], lines[1]["ClientErrors"], lines[1]["ServerErrors"]) == (401, 1, 0)
    definitions = lines[0]["_aws"]["CloudWatchMetrics"]
    assert definitions[0]["Namespace"] == "thumbrouter"
    assert {m["Name"] for d in definitions for m in d["Metrics"]} == {
        "Requests", "Latency", "ServerErrors", "ClientErrors", "ColdStart", "InitDuration"}
    for line in lines:  # every metric a definition names is a number in the line itself (CloudWatch drops it else)
        for definition in line["_aws"]["CloudWatchMetrics"]:
            assert all(isinstance(line[m["Name"]], int | float) for m in definition["Metrics"])
            assert all(name in line for names in definition["Dimensions"] for name in names)
