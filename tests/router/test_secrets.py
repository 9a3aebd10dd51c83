"""Secrets named by THUMBROUTER_*_PARAMETER: read from SSM SecureStrings and Secrets Manager on the local
server over HTTP, refused with a ConfigError naming the variable when missing, plain or unreachable."""

import logging
import uuid

import boto3
import pytest

from thumbrouter.router import secrets
from thumbrouter.router.app import create_app
from thumbrouter.router.config import ConfigError, load_settings

TOKEN = "tok-" + "s" * 28
SIGNING_KEY = "sig-" + "k" * 28
BASE = {"THUMBROUTER_S3_BUCKET": "photos", "THUMBROUTER_DOMESTIC_COUNTRIES": "", "AWS_REGION": "us-east-1"}


@pytest.fixture
def aws(s3_server):
    """(environment pointing SSM and Secrets Manager at the local server, ssm client, secretsmanager client)."""
    environ = {**BASE, "AWS_ENDPOINT_URL_SSM": s3_server.url, "AWS_ENDPOINT_URL_SECRETS_MANAGER": s3_server.url}
    clients = [boto3.client(service, endpoint_url=s3_server.url, region_name="us-east-1")
               for service in ("ssm", "secretsmanager")]
    return environ, *clients


def parameter(ssm, value: str, kind: str = "SecureString") -> str:
    name = f"/thumbrouter/test/{uuid.uuid4().hex[:10]}"
    ssm.put_parameter(Name=name, Value=value, Type=kind)
    return name


def test_api_tokens_come_from_an_ssm_securestring(aws):
    environ, ssm, _ = aws
    name = parameter(ssm, f"{TOKEN},{TOKEN}-second")
    settings = load_settings({**environ, "THUMBROUTER_API_TOKENS_PARAMETER": name})
    assert settings.api_tokens == (TOKEN, f"{TOKEN}-second")


def test_a_parameter_arn_works_like_its_name(aws):
    environ, ssm, _ = aws
    name = parameter(ssm, SIGNING_KEY)
    arn = ssm.get_parameter(Name=name)["Parameter"]["ARN"]
    settings = load_settings({**environ, "THUMBROUTER_API_TOKENS": TOKEN,
                              "THUMBROUTER_URL_SIGNING_KEYS_PARAMETER": arn})
    assert settings.url_signing_keys == (SIGNING_KEY,)


def test_a_secrets_manager_arn_gives_its_secret_string(aws):
    environ, _, manager = aws
    name = f"thumbrouter-{uuid.uuid4().hex[:8]}"
    arn = manager.create_secret(Name=name, SecretString="qiniu-secret-key-value")["ARN"]
    settings = load_settings({**environ, "THUMBROUTER_QINIU_SECRET_KEY_PARAMETER": arn,
                              "THUMBROUTER_QINIU_ACCESS_KEY": "ak", "THUMBROUTER_QINIU_BUCKET": "kodo",
                              "THUMBROUTER_QINIU_DOMAIN": "img.example.com"})
    assert settings.qiniu_secret_key == "qiniu-secret-key-value"
    assert "qiniu-secret-key-value" not in repr(settings)


def test_environment_variables_still_work_and_need_no_aws():
    # No endpoint and no parameter: nothing is contacted (an SSM call here would fail without a server).
    assert load_settings({**BASE, "THUMBROUTER_API_TOKENS": TOKEN}).api_tokens == (TOKEN,)


def test_a_secret_set_both_ways_is_refused(aws):
    environ, ssm, _ = aws
    with pytest.raises(ConfigError, match="THUMBROUTER_API_TOKENS and THUMBROUTER_API_TOKENS_PARAMETER are both set"):
        load_settings({**environ, "THUMBROUTER_API_TOKENS": TOKEN, "THUMBROUTER_API_TOKENS_PARAMETER": "/x"})


def test_a_parameter_for_something_that_is_not_a_secret_is_refused():
    with pytest.raises(ConfigError, match="THUMBROUTER_S3_BUCKET_PARAMETER: only THUMBROUTER_API_TOKENS_PARAMETER"):
        load_settings({**BASE, "THUMBROUTER_S3_BUCKET_PARAMETER": "/x"})


def test_a_missing_parameter_names_the_variable(aws):
    environ, _, _ = aws
    with pytest.raises(ConfigError, match=r"THUMBROUTER_API_TOKENS_PARAMETER: ssm '/thumbrouter/nope' does not exist"):
        load_settings({**environ, "THUMBROUTER_API_TOKENS_PARAMETER": "/thumbrouter/nope"})


def test_a_missing_secret_names_the_variable(aws):
    environ, _, _ = aws
    arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:thumbrouter-gone-AbCdEf"
    with pytest.raises(ConfigError, match="THUMBROUTER_REDIS_URL_PARAMETER: secretsmanager .* does not exist"):
        load_settings({**environ, "THUMBROUTER_API_TOKENS": TOKEN, "THUMBROUTER_REDIS_URL_PARAMETER": arn})


def test_a_plain_string_parameter_is_refused_without_its_value_in_the_message(aws):
    environ, ssm, _ = aws
    name = parameter(ssm, TOKEN, kind="String")
    with pytest.raises(ConfigError, match="is a String, not a SecureString") as raised:
        load_settings({**environ, "THUMBROUTER_API_TOKENS_PARAMETER": name})
    assert TOKEN not in str(raised.value)


def test_a_short_token_from_a_parameter_is_refused_without_echoing_it(aws):
    environ, ssm, _ = aws
    name = parameter(ssm, "short-token")
    with pytest.raises(ConfigError, match="THUMBROUTER_API_TOKENS entry 1 is shorter") as raised:
        load_settings({**environ, "THUMBROUTER_API_TOKENS_PARAMETER": name})
    assert "short-token" not in str(raised.value)


def test_secrets_read_at_start_up_are_never_logged(aws, caplog):
    environ, ssm, _ = aws
    name = parameter(ssm, TOKEN)
    with caplog.at_level(logging.DEBUG):
        app = create_app({**environ, "THUMBROUTER_API_TOKENS_PARAMETER": name, "THUMBROUTER_ONDEMAND": "0"})
        response = app.test_client().get("/v1/download-urls?key=a.jpg", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200
    assert all(TOKEN not in record.getMessage() for record in caplog.records)
    assert TOKEN not in repr(app.extensions["thumbrouter.settings"])


def test_an_unreachable_endpoint_is_a_config_error_within_the_timeouts(black_hole, monkeypatch):
    # The black hole accepts connections and never answers: only the read timeout ends the call.
    monkeypatch.setattr(secrets, "READ_TIMEOUT", 0.2)
    monkeypatch.setattr(secrets, "ATTEMPTS", 1)
    environ = {**BASE, "AWS_ENDPOINT_URL_SSM": black_hole, "THUMBROUTER_API_TOKENS_PARAMETER": "/thumbrouter/x"}
    with pytest.raises(ConfigError, match=r"THUMBROUTER_API_TOKENS_PARAMETER: ssm '/thumbrouter/x' cannot be read "
                                          r"\(ReadTimeoutError\)"):
        load_settings(environ)


def test_a_refused_connection_is_a_config_error(monkeypatch):
    monkeypatch.setattr(secrets, "ATTEMPTS", 1)
    environ = {**BASE, "AWS_ENDPOINT_URL_SSM": "http://127.0.0.1:9", "THUMBROUTER_API_TOKENS_PARAMETER": "/x"}
    with pytest.raises(ConfigError, match=r"THUMBROUTER_API_TOKENS_PARAMETER: ssm '/x' cannot be read \(Endpoint"):
        load_settings(environ)


def test_a_parameter_the_identity_may_not_read_is_a_config_error_naming_the_variable(monkeypatch):
    from tests.support.iam import EnforcingAws

    server = EnforcingAws().start()
    try:
        server.client("ssm").put_parameter(Name="/thumbrouter/denied", Value=TOKEN, Type="SecureString")
        credentials = server.credentials_with({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "*"}]})
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", credentials["aws_access_key_id"])
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", credentials["aws_secret_access_key"])
        environ = {**BASE, "AWS_ENDPOINT_URL_SSM": server.url,
                   "THUMBROUTER_API_TOKENS_PARAMETER": "/thumbrouter/denied"}
        # moto answers the denial as a bare 403 (AWS: AccessDeniedException); either way it is not "missing"
        with pytest.raises(ConfigError, match=r"THUMBROUTER_API_TOKENS_PARAMETER: ssm '/thumbrouter/denied' cannot be "
                                              r"read \((AccessDenied|403)") as raised:
            load_settings(environ)
        assert TOKEN not in str(raised.value)
    finally:
        server.stop()
