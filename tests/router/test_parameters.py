"""Secrets by SSM parameter name: read once from the local SSM server (moto over HTTP), typed errors otherwise."""

import boto3
import pytest
from botocore.config import Config

from thumbrouter.router import ConfigError, load_settings, resolve_parameters
from thumbrouter.router.parameters import named_parameters

TOKENS = "token-0123456789abcdef,token-fedcba9876543210"


@pytest.fixture
def ssm(s3_server):
    return boto3.client("ssm", endpoint_url=s3_server.url, region_name="us-east-1",
                        config=Config(connect_timeout=2, read_timeout=5))


def test_a_named_secure_string_becomes_the_variable_the_settings_read(ssm):
    ssm.put_parameter(Name="/thumbrouter/test/api-tokens", Value=TOKENS, Type="SecureString", Overwrite=True)
    environ = {"THUMBROUTER_API_TOKENS_PARAMETER": "/thumbrouter/test/api-tokens", "THUMBROUTER_S3_BUCKET": "photos",
               "THUMBROUTER_DOMESTIC_COUNTRIES": ""}
    resolved = resolve_parameters(environ, ssm)
    assert resolved["THUMBROUTER_API_TOKENS"] == TOKENS
    assert load_settings(resolved).api_tokens == tuple(TOKENS.split(","))


def test_without_parameter_names_no_client_is_made_and_nothing_changes():
    environ = {"THUMBROUTER_API_TOKENS": "x" * 16}
    assert resolve_parameters(environ, client=object()) == environ


def test_a_missing_parameter_names_the_variable_and_the_parameter(ssm):
    environ = {"THUMBROUTER_URL_SIGNING_KEYS_PARAMETER": "/thumbrouter/test/not-there"}
    with pytest.raises(ConfigError, match="THUMBROUTER_URL_SIGNING_KEYS_PARAMETER='/thumbrouter/test/not-there'"):
        resolve_parameters(environ, ssm)


def test_a_value_and_its_parameter_together_are_refused():
    with pytest.raises(ConfigError, match="both set"):
        named_parameters({"THUMBROUTER_REDIS_URL": "redis://x", "THUMBROUTER_REDIS_URL_PARAMETER": "/p"})


def test_an_unreachable_ssm_fails_start_up_with_the_reason(black_hole):
    client = boto3.client("ssm", endpoint_url=black_hole, region_name="us-east-1",
                          config=Config(connect_timeout=0.2, read_timeout=0.2, retries={"total_max_attempts": 1}))
    with pytest.raises(ConfigError, match="cannot read THUMBROUTER_API_TOKENS_PARAMETER from SSM"):
        resolve_parameters({"THUMBROUTER_API_TOKENS_PARAMETER": "/p"}, client)
