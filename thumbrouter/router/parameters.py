"""Secrets by name: THUMBROUTER_<SECRET>_PARAMETER names an SSM SecureString that holds THUMBROUTER_<SECRET>.

A deployment's environment (a Lambda's, visible to anyone who may read its configuration) then carries
parameter names, never values. `resolve(environ)` reads the named parameters once, at start-up, and
returns the environment with the values in place, for `create_app`; without any *_PARAMETER variable it
makes no AWS call at all. What can go wrong: ConfigError naming the variable (both the value and its
parameter set, a parameter that does not exist, or SSM unreachable or refusing within the timeouts).
"""

from collections.abc import Mapping

from .config import PREFIX, ConfigError

SECRETS = ("API_TOKENS", "URL_SIGNING_KEYS", "QINIU_SECRET_KEY", "REDIS_URL")
SUFFIX = "_PARAMETER"
# Start-up work: a few quick tries, then fail the cold start with the reason.
TIMEOUTS = {"connect_timeout": 2, "read_timeout": 5, "retries": {"total_max_attempts": 3, "mode": "standard"}}


def named_parameters(environ: Mapping[str, str]) -> dict[str, str]:
    """{THUMBROUTER_<SECRET>: parameter name} for each *_PARAMETER set. Raises ConfigError when both are set."""
    wanted = {}
    for secret in SECRETS:
        variable = PREFIX + secret
        name = (environ.get(variable + SUFFIX) or "").strip()
        if not name:
            continue
        if environ.get(variable, "").strip():
            raise ConfigError(f"{variable} and {variable}{SUFFIX} are both set: keep only the parameter name")
        wanted[variable] = name
    return wanted


def resolve(environ: Mapping[str, str], client=None) -> dict[str, str]:
    """environ with every named secret read from SSM (decrypted). Raises ConfigError naming the variable."""
    wanted = named_parameters(environ)
    if not wanted:
        return dict(environ)
    import boto3  # only a deployment that names parameters pays for the SDK here
    from botocore.config import Config
    from botocore.exceptions import BotoCoreError, ClientError

    client = client or boto3.client("ssm", config=Config(**TIMEOUTS))
    try:
        answer = client.get_parameters(Names=sorted(set(wanted.values())), WithDecryption=True)
    except (BotoCoreError, ClientError) as exc:
        raise ConfigError(f"cannot read {', '.join(v + SUFFIX for v in wanted)} from SSM: {exc}") from exc
    values = {item["Name"]: item["Value"] for item in answer.get("Parameters", [])}
    resolved = dict(environ)
    for variable, name in wanted.items():
        if name not in values:
            raise ConfigError(f"{variable}{SUFFIX}={name!r}: no such SSM parameter (or no permission to read it)")
        resolved[variable] = values[name]
    return resolved
