"""Generation backends: the lambda backend speaks lambda/on_demand.py's payload; failures map to 502/503."""

import io
import json

import pytest

from tests.lambda_handler import helpers  # noqa: F401 -- puts lambda/ on sys.path
from thumbrouter.router.errors import BackendUnavailable
from thumbrouter.router.ondemand.backends import BACKENDS, LambdaBackend, LocalBackend
from thumbrouter.router.ondemand.pool import GenerationPool
from thumbrouter.s3job.ondemand import OnDemandRequest

from .helpers import jpeg


class FakeLambda:
    """A Lambda client whose invoke runs `answer(payload)` and returns it as AWS shapes it."""

    def __init__(self, answer, function_error=None):
        self.answer, self.function_error, self.calls = answer, function_error, []

    def invoke(self, **kwargs):
        self.calls.append(kwargs)
        body = json.dumps(self.answer(json.loads(kwargs["Payload"]))).encode()
        response = {"StatusCode": 200, "Payload": io.BytesIO(body)}
        if self.function_error:
            response["FunctionError"] = self.function_error
        return response


def test_the_lambda_backend_invokes_synchronously_and_the_on_demand_entry_accepts_its_payload(
        s3_server, s3, buckets, monkeypatch):
    import on_demand
    from thumbrouter.s3job import client
    from thumbrouter.s3job.settings import LambdaSettings

    client.default_s3_client.cache_clear()
    monkeypatch.setattr(on_demand, "SETTINGS", LambdaSettings())
    source, resized = buckets
    s3.put_object(Bucket=source, Key="dir/a b.jpg", Body=jpeg())
    fake = FakeLambda(lambda payload: on_demand.handler(payload, None))
    backend = LambdaBackend(GenerationPool(1, 1), "thumbnails-on-demand", fake)
    answer = backend.submit(OnDemandRequest(source, "dir/a b.jpg", "50x50", "fit", resized)).result(30)
    assert answer["status"] == "created" and answer["thumbnail_key"] == "dir/a b_50x50.jpg"
    assert fake.calls[0]["InvocationType"] == "RequestResponse"
    assert fake.calls[0]["FunctionName"] == "thumbnails-on-demand"
    s3.head_object(Bucket=resized, Key="dir/a b_50x50.jpg")
    client.default_s3_client.cache_clear()


@pytest.mark.parametrize("fake", [
    FakeLambda(lambda p: {"errorMessage": "boom", "errorType": "TransientError"}, function_error="Unhandled"),
    FakeLambda(lambda p: {"status": "weird"}),
    FakeLambda(lambda p: ["not", "a", "dict"]),
])
def test_lambda_failures_and_unexpected_answers_become_502(fake):
    backend = LambdaBackend(GenerationPool(1, 1), "fn", fake)
    with pytest.raises(BackendUnavailable) as info:
        backend.invoke(OnDemandRequest("demo", "a.jpg", "50x50", "fit", "demoresized"))
    assert info.value.status == 502


def test_backends_are_picked_from_the_registry():
    assert set(BACKENDS) == {"local", "lambda"}
    assert LocalBackend.name == "local" and LambdaBackend.name == "lambda"


def test_an_app_configured_for_the_lambda_backend_generates_through_it(s3_server, s3, buckets, monkeypatch):
    import on_demand
    from thumbrouter.router import create_app
    from thumbrouter.s3job import client
    from thumbrouter.s3job.settings import LambdaSettings

    from .helpers import app_env

    client.default_s3_client.cache_clear()
    monkeypatch.setattr(on_demand, "SETTINGS", LambdaSettings())
    app = create_app(app_env(s3_server, buckets[0], generation_backend="lambda", generation_lambda="thumbs-OnDemand"))
    backend = app.extensions["thumbrouter.ondemand"].backend
    assert isinstance(backend, LambdaBackend) and backend.function == "thumbs-OnDemand"
    backend.client = FakeLambda(lambda payload: on_demand.handler(payload, None))
    s3.put_object(Bucket=buckets[0], Key="via-lambda.jpg", Body=jpeg())
    assert app.test_client().get("/thumb/thumb50/via-lambda.jpg").status_code == 302
    assert len(backend.client.calls) == 1
    s3.head_object(Bucket=buckets[1], Key="via-lambda_50x50.jpg")
    client.default_s3_client.cache_clear()
