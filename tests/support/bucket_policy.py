"""Does S3 let one request through a bucket policy and the caller's IAM policy? Judged as AWS documents it.

moto's evaluator (moto.iam.access_control.IAMPolicy) matches actions and resources as AWS does, and it
judges the callers' identity policies here. For a bucket policy it is not enough: of condition operators
it knows only StringEquals (others are skipped, so the condition passes), a statement whose condition
fails counts as an explicit Deny even when it is an Allow, and principals other than "*" are skipped. So
moto decides whether a statement's Action and Resource cover the request, and this module judges the
Principal and Condition elements: every operator and every key of a statement must hold; a positive
operator fails when the key is absent from the request, a negated one (StringNotEquals, ArnNotLike) holds
(AWS's rule for missing keys); key names are case-insensitive. An operator not in OPERATORS fails the
test instead of passing unnoticed.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from fnmatch import fnmatchcase

from moto.iam.access_control import IAMPolicy, PermissionResult


@dataclass(frozen=True)
class Request:
    """One S3 call: who makes it (`{"AWS": arn}` or `{"Service": name}`) and the keys AWS puts in its context."""

    action: str
    resource: str
    principal: dict[str, str]
    context: dict[str, str] = field(default_factory=dict)


def _arn_like(pattern: str, value: str) -> bool:
    # ArnLike compares each of the six colon-separated parts on its own, with * and ? wildcards.
    parts, values = pattern.split(":", 5), value.split(":", 5)
    return len(parts) == len(values) == 6 and all(fnmatchcase(v, p) for p, v in zip(parts, values, strict=True))


_MATCHERS: dict[str, Callable[[str, str], bool]] = {
    "String": lambda pattern, value: pattern == value,
    "Arn": _arn_like,
    "Bool": lambda pattern, value: pattern.lower() == value.lower(),
}
# operator -> (matcher, negated)
OPERATORS = {"StringEquals": ("String", False), "StringNotEquals": ("String", True),
             "ArnLike": ("Arn", False), "ArnNotLike": ("Arn", True), "Bool": ("Bool", False)}


def _values(element) -> list[str]:
    return [element] if isinstance(element, str) else list(element)


def _condition_holds(operator: str, key: str, expected, context: dict[str, str]) -> bool:
    assert operator in OPERATORS, f"condition operator {operator} is not judged here"
    kind, negated = OPERATORS[operator]
    actual = {name.lower(): value for name, value in context.items()}.get(key.lower())
    if actual is None:
        return negated
    matched = any(_MATCHERS[kind](pattern, actual) for pattern in _values(expected))
    return not matched if negated else matched


def _principal_matches(principal, request: Request) -> bool:
    if principal == "*":
        return True
    return any(kind in request.principal and ("*" in _values(names) or request.principal[kind] in _values(names))
               for kind, names in principal.items())


def _covers(statement: dict, request: Request) -> bool:
    """moto's answer to: do this statement's Action (or NotAction) and Resource cover the request?"""
    scope = {name: statement[name] for name in ("Action", "NotAction", "Resource") if name in statement}
    document = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", **scope}]})
    return IAMPolicy(document).is_action_permitted(request.action, request.resource) == PermissionResult.PERMITTED


def applies(statement: dict, request: Request) -> bool:
    """Whether a bucket-policy statement speaks to the request (its Effect then allows or denies it)."""
    return (_principal_matches(statement["Principal"], request) and _covers(statement, request)
            and all(_condition_holds(operator, key, expected, request.context)
                    for operator, keys in statement.get("Condition", {}).items()
                    for key, expected in keys.items()))


def decide(bucket_policy: dict, request: Request, identity_policy: dict | None = None) -> bool:
    """S3's answer for a caller of the bucket's own account (or a service): an explicit Deny in either
    policy wins; otherwise an Allow in either lets it through. Callers of other accounts need both, so
    pass no identity policy for them.
    """
    statements = [s for s in bucket_policy["Statement"] if applies(s, request)]
    if any(s["Effect"] == "Deny" for s in statements):
        return False
    verdict = (PermissionResult.NEUTRAL if identity_policy is None else
               IAMPolicy(json.dumps(identity_policy)).is_action_permitted(request.action, request.resource))
    if verdict == PermissionResult.DENIED:
        return False
    return verdict == PermissionResult.PERMITTED or any(s["Effect"] == "Allow" for s in statements)
