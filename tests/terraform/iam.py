"""IAM policy JSON from a module's `aws_iam_policy_document`, with every value evaluated by real Terraform.

python-hcl2 gives the statements (static and `dynamic`); references Terraform can only know at apply time
(a log group's ARN, the partition) are replaced by the values a test chooses; string locals are inlined;
then Terraform evaluates each statement's for_each, actions and resources against the module's own
variables.tf, so conditionals, optional() defaults and validation rules are Terraform's.
"""

import json
import re
from pathlib import Path

from tests.terraform.support import evaluate, labelled, load_dir, one, typed

VERSION = "2012-10-17"
_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_.\[\]]*)\}")
# What Terraform cannot know offline, as a test account sees it.
ACCOUNT = "123456789012"
REGION = "us-east-1"


def statements_of(module: Path, document: str) -> list[tuple[str | None, dict]]:
    """(for_each expression or None, statement body) for each statement block of a policy document."""
    body = typed(load_dir(module), "data", "aws_iam_policy_document")[document]
    found: list[tuple[str | None, dict]] = [(None, statement) for statement in body.get("statement", [])]
    for block in body.get("dynamic", []):
        dynamic = block["statement"]
        found.append((dynamic["for_each"], one(dynamic["content"])))
    return found


def _inline(text: str, substitutions: dict[str, str]) -> str:
    """Replace `${name}` of known references (repeatedly: a local may name another one)."""
    for _ in range(10):
        replaced = _REFERENCE.sub(lambda m: substitutions.get(m.group(1), m.group(0)), text)
        if replaced == text:
            return text
        text = replaced
    raise AssertionError(f"references do not resolve: {text!r}")


def _expression(value: str) -> str:
    """A python-hcl2 value as a Terraform expression: `${expr}` alone is expr, anything else a template."""
    if value.startswith("${") and value.endswith("}") and value.count("${") == 1:
        return value[2:-1]
    return json.dumps(value)


def policy(module: Path, document: str, variables: dict, references: dict[str, str] | None = None) -> dict:
    """The policy JSON Terraform would render for `data.aws_iam_policy_document.<document>`.

    Raises TerraformError when the variables fail the module's validation, AssertionError on a statement
    shape this converter does not know (conditions, principals, not_actions).
    """
    config = load_dir(module)
    substitutions = {f"local.{name}": value for name, value in labelled(config, "locals").items()
                     if isinstance(value, str)}
    substitutions |= {"data.aws_partition.current.partition": "aws", **(references or {})}
    blocks = statements_of(module, document)
    expressions = {}
    for index, (for_each, statement) in enumerate(blocks):
        assert set(statement) <= {"sid", "effect", "actions", "resources"}, f"unsupported: {sorted(statement)}"
        fields = {name: "[" + ", ".join(_expression(_inline(item, substitutions).replace("statement.value", "value"))
                                        for item in statement[name]) + "]" for name in ("actions", "resources")}
        source = _expression(_inline(for_each, substitutions)) if for_each else '["static"]'
        expressions[f"s{index}"] = (f"[for value in ({source}) : {{ actions = {fields['actions']}, "
                                    f"resources = {fields['resources']} }}]")
    values = evaluate(module, (), expressions, variables)
    rendered = []
    for index, (_, statement) in enumerate(blocks):
        for instance in values[f"s{index}"]:
            rendered.append({**({"Sid": statement["sid"]} if "sid" in statement else {}),
                             "Effect": statement.get("effect", "Allow"),
                             "Action": instance["actions"], "Resource": instance["resources"]})
    return {"Version": VERSION, "Statement": rendered}


def grants(document: dict) -> set[tuple[str, str]]:
    """(action, resource) pairs of a policy's Allow statements."""
    return {(action, resource) for statement in document["Statement"] if statement["Effect"] == "Allow"
            for action in statement["Action"] for resource in statement["Resource"]}


def resource_statements(module: Path, document: str, references: dict[str, str]) -> list[dict]:
    """The static statements of a bucket-policy document (principals and conditions included) as JSON.

    Every `${reference}` must be one of `references` (each.value.arn, a distribution's ARN); the shape is
    what aws_iam_policy_document renders: a "*" principal as "*", conditions grouped by operator.
    """
    def value(text: str) -> str:
        done = _inline(text, references)
        assert "${" not in done, f"unresolved reference in {text!r}"
        return done

    rendered = []
    for for_each, statement in statements_of(module, document):
        assert for_each is None, "dynamic statements are not rendered here"
        assert set(statement) <= {"sid", "effect", "actions", "resources", "principals", "condition"}, sorted(statement)
        principals = statement.get("principals", [])
        if principals == [{"type": "*", "identifiers": ["*"]}]:
            principal: str | dict = "*"
        else:
            principal = {block["type"]: [value(i) for i in block["identifiers"]] for block in principals}
        conditions: dict[str, dict] = {}
        for block in statement.get("condition", []):
            conditions.setdefault(block["test"], {})[block["variable"]] = [value(v) for v in block["values"]]
        rendered.append({**({"Sid": statement["sid"]} if "sid" in statement else {}),
                         "Effect": statement.get("effect", "Allow"), "Principal": principal,
                         "Action": [value(a) for a in statement["actions"]],
                         "Resource": [value(r) for r in statement["resources"]],
                         **({"Condition": conditions} if conditions else {})})
    return rendered
