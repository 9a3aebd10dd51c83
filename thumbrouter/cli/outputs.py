"""Terraform outputs (`terraform output -json`) as text: `name = value` lines or THUMBROUTER_* lines.

Outputs without a router variable become comments; sensitive values are never printed.
"""

import json
import shlex

# Output name (the contract in terraform/environments/*/outputs.tf) -> router variable.
ROUTER_VARIABLES = {
    "source_bucket": "THUMBROUTER_S3_BUCKET",
    "region": "THUMBROUTER_S3_REGION",
    # The router invokes the on-demand function; the S3-triggered one (function_name) is not for it.
    "on_demand_function_name": "THUMBROUTER_GENERATION_LAMBDA",
}


def _text(value) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def plain_lines(outputs: dict) -> list[str]:
    """`name = value` per output, sorted; sensitive ones masked."""
    return [f"{name} = {'(sensitive)' if out.get('sensitive') else _text(out.get('value'))}"
            for name, out in sorted(outputs.items())]


def env_lines(outputs: dict) -> list[str]:
    """THUMBROUTER_*=value lines (shell-quoted) first, then the other outputs as comments."""
    variables, comments = [], []
    for name, out in sorted(outputs.items()):
        variable, value = ROUTER_VARIABLES.get(name), out.get("value")
        if out.get("sensitive"):
            comments.append(f"# {name}: sensitive, not printed")
        elif variable and isinstance(value, str | int | float):
            variables.append(f"{variable}={shlex.quote(str(value))}")
        else:
            comments.append(f"# {name} = {_text(value)}")
    return variables + comments
