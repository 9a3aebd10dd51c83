"""Terraform outputs (`terraform output -json`) as text: `name = value` lines or THUMBROUTER_* lines.

Outputs without a router variable become comments; sensitive values are never printed. The
`thumbnail_spec` object (what both functions are given) becomes the router's ThumbnailSpec variables,
read back the way the Lambda reads its own, so router and Lambda cannot disagree.
"""

import json
import shlex

from thumbrouter.s3job import JOB_PREFIX, ConfigError, ThumbnailSpec

# Output name (the contract in terraform/environments/*/outputs.tf) -> router variable.
ROUTER_VARIABLES = {
    "source_bucket": "THUMBROUTER_S3_BUCKET",
    "region": "THUMBROUTER_S3_REGION",
    # The router invokes the on-demand function; the S3-triggered one (function_name) is not for it.
    "on_demand_function_name": "THUMBROUTER_GENERATION_LAMBDA",
}
SPEC_OUTPUT = "thumbnail_spec"
# The thumbnail-stack's `cdn` object (null without a CDN): the router signs URLs for this domain with this key.
CDN_OUTPUT = "cdn"
CDN_VARIABLES = {"domain_name": "THUMBROUTER_CDN_DOMAIN", "signing_key_id": "THUMBROUTER_CDN_KEY_ID"}
ROUTER_PREFIX = "THUMBROUTER_"


def _text(value) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def plain_lines(outputs: dict) -> list[str]:
    """`name = value` per output, sorted; sensitive ones masked."""
    return [f"{name} = {'(sensitive)' if out.get('sensitive') else _text(out.get('value'))}"
            for name, out in sorted(outputs.items())]


def spec_environment(value: dict) -> dict[str, str]:
    """The Lambda's spec variables (THN_BUCKET, THUMBNAIL_SIZES, ...) from the `thumbnail_spec` output object,
    as the function is given them.

    Raises ConfigError when the object has a field the spec lacks or a value the Lambda would refuse.
    """
    unknown = set(value) - set(ThumbnailSpec.VARIABLES)
    if unknown:
        raise ConfigError(f"{SPEC_OUTPUT} output: unknown fields {sorted(unknown)}")
    lambda_env = {f"{JOB_PREFIX}{ThumbnailSpec.VARIABLES[field]}": _env_text(item)
                  for field, item in value.items() if item is not None}
    try:
        ThumbnailSpec.from_env(lambda_env)
    except ConfigError as exc:
        raise ConfigError(f"{SPEC_OUTPUT} output: {exc}") from None
    return lambda_env


def spec_lines(value: dict) -> list[str]:
    """`THUMBROUTER_THN_BUCKET=...` and the rest of the spec, from the `thumbnail_spec` output object.

    Raises ConfigError when the object has a field the spec lacks or a value the Lambda would refuse.
    """
    spec = ThumbnailSpec.from_env(spec_environment(value))
    return [f"{name}={shlex.quote(text)}" for name, text in spec.to_env(ROUTER_PREFIX).items()]


def cdn_lines(value: dict) -> list[str]:
    """THUMBROUTER_CDN_DOMAIN and _KEY_ID from the `cdn` output, and where the private key comes from."""
    lines = [f"{variable}={shlex.quote(str(value[name]))}" for name, variable in CDN_VARIABLES.items()
             if value.get(name)]
    return lines + ["# THUMBROUTER_CDN_PRIVATE_KEY: that key id's private key, from the secret store (never Terraform)"]


def _env_text(value) -> str:
    """A Terraform value as the Lambda's environment holds it (thumbnail-lambda joins lists with commas)."""
    if isinstance(value, list):
        return ",".join(str(item) for item in value)
    if isinstance(value, float) and value.is_integer():  # JSON numbers may arrive as 85.0
        return str(int(value))
    return str(value)


def env_lines(outputs: dict) -> list[str]:
    """THUMBROUTER_*=value lines (shell-quoted) first, then the other outputs as comments.

    Raises ConfigError for a `thumbnail_spec` the Lambda would refuse.
    """
    variables, comments = [], []
    for name, out in sorted(outputs.items()):
        variable, value = ROUTER_VARIABLES.get(name), out.get("value")
        if out.get("sensitive"):
            comments.append(f"# {name}: sensitive, not printed")
        elif name == SPEC_OUTPUT and isinstance(value, dict):
            variables += spec_lines(value)
        elif name == CDN_OUTPUT and isinstance(value, dict):
            variables += cdn_lines(value)
        elif variable and isinstance(value, str | int | float):
            variables.append(f"{variable}={shlex.quote(str(value))}")
        else:
            comments.append(f"# {name} = {_text(value)}")
    return variables + comments
