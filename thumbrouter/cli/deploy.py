"""Plan, apply, destroy, check or show the outputs of a Terraform environment (terraform/environments/ENV).

Builds the Lambda zips whose inputs changed (the thumbnailer always; the router's when the environment
declares `router_zip_path`), runs `terraform init -backend-config=backend.hcl`, then the action with
`-var lambda_zip_path=<zip>` (and `router_zip_path`). apply/destroy save a plan, ask, and apply exactly that
plan. `check` calls the deployed router (the `router_url` output, or --url): see cli.check.
What can go wrong: DeployError/TerraformError/ArtifactError (exit 1, message on stderr), Terraform's
own failures (its exit code), a failed check (exit 1).
"""

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import TextIO, TypedDict

from thumbrouter.cli import check
from thumbrouter.cli.artifact import ArtifactError, Target
from thumbrouter.cli.build_lambda import DEFAULT_ARCH, DEFAULT_PYTHON, REPO, BuildRequest, ensure_artifact
from thumbrouter.cli.environments import (
    BACKEND_FILE,
    ENVIRONMENTS_DIR,
    DeployError,
    Environment,
    find_environment,
    require_backend_config,
)
from thumbrouter.cli.outputs import env_lines, plain_lines
from thumbrouter.cli.terraform import Terraform, TerraformError, require_terraform

ACTIONS = ("plan", "apply", "destroy", "output", "check")
ROUTER_URL_OUTPUT = "router_url"  # the environment's output naming the router's Function URL
ROUTER_ZIP_VARIABLE = "router_zip_path"
DEFAULT_ROUTER_ARCH = "arm64"  # the router has no native code of its own: Graviton is cheaper per ms
NO_CHANGES, CHANGES = 0, 2  # `plan -detailed-exitcode`


class PlanOptions(TypedDict):
    """The Terraform.plan arguments every action shares."""

    variables: dict[str, str]
    var_files: list[str]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("env", help="environment: a directory of terraform/environments/")
    parser.add_argument("action", choices=ACTIONS)
    parser.add_argument("--auto-approve", action="store_true", help="apply/destroy without asking")
    parser.add_argument("--json", action="store_true", help="output: print Terraform's JSON")
    parser.add_argument("--env-format", action="store_true", help="output: print THUMBROUTER_*=value lines")
    parser.add_argument("--var-file", action="append", default=[], help="extra .tfvars file (repeatable)")
    parser.add_argument("--python", help=f"Lambda Python (default: the env's terraform.tfvars, else {DEFAULT_PYTHON})")
    parser.add_argument("--arch", choices=["x86_64", "arm64"], help=f"Lambda architecture (default like --python, "
                                                                     f"else {DEFAULT_ARCH})")
    parser.add_argument("--zip", help="use this thumbnailer artifact instead of building one")
    parser.add_argument("--router-zip", help="use this router artifact instead of building one")
    parser.add_argument("--url", help=f"check: the router's base URL (default: the {ROUTER_URL_OUTPUT} output)")
    parser.add_argument("--key", default=os.environ.get("THUMBROUTER_CHECK_KEY"),
                        help="check: an existing object key to sign and fetch (default $THUMBROUTER_CHECK_KEY)")
    parser.add_argument("--timeout", type=float, default=check.READ_TIMEOUT,
                        help=f"check: seconds to wait for each answer (default {check.READ_TIMEOUT:g})")
    parser.add_argument("--dist", default=str(REPO / "dist"), help="where the artifact is built (default dist/)")
    parser.add_argument("--environments-dir", default=str(ENVIRONMENTS_DIR), help=argparse.SUPPRESS)


def run(args: argparse.Namespace) -> int:
    try:
        return deploy(args)
    except (DeployError, TerraformError, ArtifactError) as exc:
        print(f"deploy: {exc}", file=sys.stderr)
        return 1


def deploy(args: argparse.Namespace) -> int:
    """Run args.action in args.env. Raises DeployError, TerraformError or ArtifactError."""
    env = find_environment(args.env, Path(args.environments_dir))
    if args.action == "check" and args.url:
        return run_check(args, args.url)  # a URL given: no Terraform needed
    require_backend_config(env)
    tf = Terraform(require_terraform(), env.path)
    init(tf)  # first: a missing backend or credentials fails before minutes of building
    if args.action == "output":
        return show_outputs(tf, args)
    if args.action == "check":
        return run_check(args, router_url(tf))
    plan_options: PlanOptions = {"variables": artifact_variables(args, env),
                                 "var_files": [str(Path(path).resolve()) for path in args.var_file]}
    if args.action == "plan":
        return _ok_plan(tf.plan(**plan_options))
    return plan_confirm_apply(tf, env, args, plan_options)


def artifact_variables(args: argparse.Namespace, env: Environment) -> dict[str, str]:
    """lambda_zip_path and router_zip_path (each built if needed) and, where the env declares them,
    lambda_python/architecture and router_architecture."""
    python = args.python or env.tfvars_value("lambda_python") or DEFAULT_PYTHON
    arch = args.arch or env.tfvars_value("lambda_architecture") or DEFAULT_ARCH
    variables = {"lambda_zip_path": str(_artifact(args.zip, Target(python, arch), args.dist))}
    for name, value in (("lambda_python", python), ("lambda_architecture", arch)):
        if env.declares(name):
            variables[name] = value
    if env.declares(ROUTER_ZIP_VARIABLE):
        router_arch = env.tfvars_value("router_architecture") or DEFAULT_ROUTER_ARCH
        router = Target(python, router_arch, function="router")
        variables[ROUTER_ZIP_VARIABLE] = str(_artifact(args.router_zip, router, args.dist))
        if env.declares("router_architecture"):
            variables["router_architecture"] = router_arch
    return variables


def _artifact(given: str | None, target: Target, dist: str) -> Path:
    """The zip given on the command line (it must exist), else the one built for target if its inputs changed."""
    if given:
        path = Path(given).resolve()
        if not path.is_file():
            raise DeployError(f"{path} does not exist")
        return path
    artifact = ensure_artifact(BuildRequest(target=target, out_dir=Path(dist).resolve()))
    print(f"artifact: {artifact.path} ({artifact.size.describe()}, "
          f"{'built' if artifact.built else 'up to date'})", file=sys.stderr)
    return artifact.path


def router_url(tf: Terraform) -> str:
    """The router_url output. Raises DeployError when Terraform cannot read it or the env has none."""
    code, out, err = tf.outputs()
    if code != 0:
        sys.stderr.write(err)
        raise DeployError("terraform output failed: cannot find the router's URL (or pass --url)")
    value = json.loads(out or "{}").get(ROUTER_URL_OUTPUT, {}).get("value")
    if not isinstance(value, str) or not value:
        raise DeployError(f"the environment has no {ROUTER_URL_OUTPUT} output (is the router deployed?); "
                          f"pass --url")
    return value


def run_check(args: argparse.Namespace, url: str) -> int:
    if not args.key:
        raise DeployError("check needs --key (or THUMBROUTER_CHECK_KEY): an existing object to sign and fetch")
    if not 0 < args.timeout <= 300:
        raise DeployError(f"--timeout must be between 0 and 300 seconds, got {args.timeout:g}")
    return check.check(check.Target.from_environ(url, args.key, read_timeout=args.timeout))


def init(tf: Terraform) -> None:
    """`terraform init -backend-config=backend.hcl`, quiet unless it fails. Raises DeployError."""
    code, output = tf.init(BACKEND_FILE)
    if code != 0:
        sys.stderr.write(output)
        raise DeployError("terraform init failed (an S3 backend needs network and AWS credentials)")


def show_outputs(tf: Terraform, args: argparse.Namespace) -> int:
    code, out, err = tf.outputs()
    if code != 0:
        sys.stderr.write(err)
        return code
    if args.json:
        print(out.strip())
        return 0
    outputs = json.loads(out or "{}")
    print("\n".join(env_lines(outputs) if args.env_format else plain_lines(outputs)))
    return 0


def plan_confirm_apply(tf: Terraform, env: Environment, args: argparse.Namespace, plan_options: PlanOptions) -> int:
    """Save a plan, ask (unless --auto-approve), then apply exactly that plan."""
    with tempfile.TemporaryDirectory(prefix="thumbrouter-plan-") as tmp:
        plan_file = str(Path(tmp) / f"{env.name}.tfplan")
        code = tf.plan(out=plan_file, destroy=args.action == "destroy", **plan_options)
        if code != CHANGES:
            return _ok_plan(code)
        if not args.auto_approve:
            confirm(env, args.action, sys.stdin, sys.stderr)
        return tf.apply_saved(plan_file)


def confirm(env: Environment, action: str, stdin: TextIO, stderr: TextIO) -> None:
    """Ask on stderr, read one line. Protected envs want their name typed at a terminal. Raises DeployError."""
    expected = env.name if env.protected else "yes"
    if env.protected and not stdin.isatty():
        raise DeployError(f"{action} in {env.name} needs its name typed at a terminal, or --auto-approve")
    stderr.write(f"{action} the plan above in {env.name.upper()}? Type {expected!r} to continue: ")
    stderr.flush()
    answer = stdin.readline().strip()
    if answer != expected:
        raise DeployError(f"{action} cancelled: expected {expected!r}, got {answer!r}")


def _ok_plan(code: int) -> int:
    if code == NO_CHANGES:
        print("No changes.", file=sys.stderr)
    return 0 if code in (NO_CHANGES, CHANGES) else code

