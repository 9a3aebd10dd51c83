"""Secrets kept out of Terraform state: THUMBROUTER_<NAME>_PARAMETER names where the router reads <NAME>.

For each variable in SECRET_VARIABLES, `THUMBROUTER_<NAME>_PARAMETER` may name an SSM Parameter Store
SecureString (`/thumbrouter/prod/api-tokens`, or its ARN) or a Secrets Manager secret (its
`arn:aws:secretsmanager:...` ARN; the SecretString is the value). `resolve_secrets` reads each one
once at start-up and returns the environment with `THUMBROUTER_<NAME>` set, so `load_settings` parses
it like any other value. Setting a variable directly still works; setting it both ways is refused.

Values are never logged or put in an error message. What can go wrong is a ConfigError naming the
variable: a parameter that is missing, not a SecureString, empty or over MAX_SECRET_BYTES, access
denied, no credentials, or AWS unreachable within the timeouts (boto3 is imported only when asked).
"""

import logging
from collections.abc import Mapping
from contextlib import contextmanager

from thumbrouter.s3job import ConfigError

PREFIX, SUFFIX = "THUMBROUTER_", "_PARAMETER"
SECRET_VARIABLES = ("API_TOKENS", "URL_SIGNING_KEYS", "QINIU_ACCESS_KEY", "QINIU_SECRET_KEY", "REDIS_URL",
                    "CDN_PRIVATE_KEY", "CDN_ORIGIN_SECRET")
SECRETS_MANAGER_ARN = "arn:aws:secretsmanager:"
MAX_SECRET_BYTES = 64 * 1024  # Secrets Manager's own limit; SSM's is 8 KB
# Bounded: a start-up blocked on AWS fails within about 3 x (2 s + 5 s), naming the variable.
CONNECT_TIMEOUT, READ_TIMEOUT, ATTEMPTS = 2, 5, 3
_NOT_FOUND = {"ParameterNotFound", "ParameterVersionNotFound", "ResourceNotFoundException"}


def parameter_variables(environ: Mapping[str, str]) -> dict[str, str]:
    """`THUMBROUTER_<NAME>` -> the parameter named by `THUMBROUTER_<NAME>_PARAMETER` (set ones only).

    Raises ConfigError for a `_PARAMETER` variable of something that is not a secret (a typo would
    otherwise leave the secret unset) and for a secret set both directly and by parameter.
    """
    wanted = {}
    for variable, value in environ.items():
        if not (variable.startswith(PREFIX) and variable.endswith(SUFFIX)) or not value.strip():
            continue
        name = variable[len(PREFIX):-len(SUFFIX)]
        if name not in SECRET_VARIABLES:
            raise ConfigError(f"{variable}: only {', '.join(PREFIX + s + SUFFIX for s in SECRET_VARIABLES)} "
                              "are read from a parameter")
        if (environ.get(PREFIX + name) or "").strip():
            raise ConfigError(f"{PREFIX}{name} and {variable} are both set: keep one")
        wanted[PREFIX + name] = value.strip()
    return wanted


def resolve_secrets(environ: Mapping[str, str], clients: dict | None = None) -> Mapping[str, str]:
    """`environ` with every `_PARAMETER`-named secret read in (unchanged, and no boto3, when none is named).

    `clients` ("ssm", "secretsmanager" -> boto3 client) replaces the clients made from `environ`.
    Raises ConfigError naming the variable.
    """
    wanted = parameter_variables(environ)
    if not wanted:
        return environ
    clients = clients if clients is not None else {}
    resolved = dict(environ)
    for variable, parameter in wanted.items():
        resolved[variable] = _read(environ, clients, variable + SUFFIX, parameter)
    return resolved


def _read(environ: Mapping[str, str], clients: dict, variable: str, parameter: str) -> str:
    from botocore.exceptions import BotoCoreError, ClientError

    service = "secretsmanager" if parameter.startswith(SECRETS_MANAGER_ARN) else "ssm"
    try:
        client = clients.get(service) or _client(environ, service, parameter)
        clients[service] = client
        with _unlogged():
            value = (_secret_value if service == "secretsmanager" else _parameter_value)(client, parameter)
    except ClientError as exc:
        code = str(exc.response.get("Error", {}).get("Code", ""))
        problem = "does not exist" if code in _NOT_FOUND else f"cannot be read ({code or 'error'})"
        raise ConfigError(f"{variable}: {service} {parameter!r} {problem}") from None
    except BotoCoreError as exc:  # no credentials, no region, endpoint unreachable, timeouts
        raise ConfigError(f"{variable}: {service} {parameter!r} cannot be read ({type(exc).__name__})") from None
    except ConfigError as exc:  # read, but not a secret we take
        raise ConfigError(f"{variable}: {exc}") from None
    if not value.strip() or len(value.encode("utf-8", "surrogatepass")) > MAX_SECRET_BYTES:
        raise ConfigError(f"{variable}: {service} {parameter!r} is empty or over {MAX_SECRET_BYTES} bytes")
    return value.strip()


@contextmanager
def _unlogged():
    """Drop botocore.parsers' records meanwhile: at DEBUG it logs every response body, the secret included."""
    logger = logging.getLogger("botocore.parsers")
    drop = lambda record: False  # noqa: E731 -- a filter that refuses every record
    logger.addFilter(drop)
    try:
        yield
    finally:
        logger.removeFilter(drop)


def _parameter_value(client, name: str) -> str:
    parameter = client.get_parameter(Name=name, WithDecryption=True)["Parameter"]
    if parameter.get("Type") != "SecureString":
        # A String parameter is stored unencrypted and readable by anyone with ssm:GetParameter* on it.
        raise ConfigError(f"ssm {name!r} is a {parameter.get('Type')}, not a SecureString")
    return str(parameter.get("Value", ""))


def _secret_value(client, arn: str) -> str:
    answer = client.get_secret_value(SecretId=arn)
    if "SecretString" not in answer:
        raise ConfigError(f"secretsmanager {arn!r} holds binary data, not a SecretString")
    return str(answer["SecretString"])


def _client(environ: Mapping[str, str], service: str, parameter: str):
    """A boto3 client with bounded timeouts, in the ARN's region (else AWS_REGION), at the endpoint
    `environ` names (AWS_ENDPOINT_URL_SSM / _SECRETS_MANAGER, or AWS_ENDPOINT_URL)."""
    import boto3
    from botocore.config import Config

    arn_region = parameter.split(":")[3] if parameter.startswith("arn:") and parameter.count(":") >= 5 else ""
    region = arn_region or environ.get("AWS_REGION") or environ.get("AWS_DEFAULT_REGION") or None
    endpoint = environ.get(f"AWS_ENDPOINT_URL_{service.upper() if service == 'ssm' else 'SECRETS_MANAGER'}")
    config = Config(connect_timeout=CONNECT_TIMEOUT, read_timeout=READ_TIMEOUT,
                    retries={"total_max_attempts": ATTEMPTS, "mode": "standard"})
    return boto3.session.Session().client(service, region_name=region, config=config,
                                          endpoint_url=endpoint or environ.get("AWS_ENDPOINT_URL") or None)
