"""The walls between deployables, read from the source (ast) and from fresh interpreters.

One package per deployable under `thumbrouter/` (imagecore, s3job, router, cli); `lambda/*.py` are the
Lambda's entry points and `router/gunicorn.conf.py` is the gunicorn config. A package is imported by
another only through its root (`thumbrouter.s3job`), never a private module (`thumbrouter.s3job.job`).
"""

import ast
import importlib
import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from thumbrouter.cli import COMMANDS

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("imagecore", "s3job", "router", "cli")
STDLIB = sys.stdlib_module_names
# What each part may import besides the stdlib and itself (top-level names or thumbrouter packages).
ALLOWED = {
    "thumbrouter.imagecore": {"PIL", "isal", "zlib_ng", "pillow_heif", "cykooz_resizer"},
    "lambda": {"boto3", "botocore", "thumbrouter.imagecore", "thumbrouter.s3job", "thumbrouter.router", "apig_wsgi"},
}
FORBIDDEN = {
    "thumbrouter.s3job": {"thumbrouter.router", "thumbrouter.cli"},
    "thumbrouter.router": {"thumbrouter.cli"},
}


@dataclass(frozen=True)
class Import:
    where: str  # file:line, for the failure message
    owner: str  # the part the file belongs to: thumbrouter.<package>, "lambda", "gunicorn" or "thumbrouter"
    module: str  # absolute module name imported


def sources() -> list[Path]:
    return sorted([*ROOT.glob("thumbrouter/**/*.py"), *ROOT.glob("lambda/*.py"), ROOT / "router/gunicorn.conf.py"])


def owner_of(path: Path) -> str:
    parts = path.relative_to(ROOT).parts
    if parts[0] == "lambda":
        return "lambda"
    if parts[0] == "router":
        return "gunicorn"
    return "thumbrouter" if len(parts) == 2 else f"thumbrouter.{parts[1]}"


def module_of(path: Path) -> str:
    """The dotted name of a file under thumbrouter/ (its package for __init__.py)."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> list[Import]:
    """Every import in the file, anywhere in it (functions and TYPE_CHECKING blocks too), made absolute."""
    owner, found = owner_of(path), []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        where = f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', 0)}"
        if isinstance(node, ast.Import):
            found += [Import(where, owner, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = module_of(path).split(".")
                package = package if path.name == "__init__.py" else package[:-1]
                base = ".".join(package[:len(package) - node.level + 1] + ([base] if base else []))
            # `from thumbrouter.s3job import job` names a module: check it as `thumbrouter.s3job.job`.
            found += [Import(where, owner, f"{base}.{alias.name}") if _is_module(f"{base}.{alias.name}")
                      else Import(where, owner, base) for alias in node.names]
    return list(dict.fromkeys(found))  # one entry per module and line


def _is_module(name: str) -> bool:
    path = ROOT.joinpath(*name.split("."))
    return name.startswith("thumbrouter.") and (path.with_suffix(".py").is_file() or path.is_dir())


def package_of(module: str) -> str | None:
    """`thumbrouter.s3job.job` -> `thumbrouter.s3job`; None outside the thumbrouter packages."""
    parts = module.split(".")
    return ".".join(parts[:2]) if parts[0] == "thumbrouter" and len(parts) > 1 and parts[1] in PACKAGES else None


ALL_IMPORTS = [found for path in sources() for found in imports_of(path)]


def test_the_walk_sees_every_part_and_its_imports():
    owners = {found.owner for found in ALL_IMPORTS}
    assert {"lambda", "gunicorn", *(f"thumbrouter.{name}" for name in PACKAGES)} <= owners
    assert any(found.module == "thumbrouter.router.errors" for found in ALL_IMPORTS)  # a relative import resolved


def test_another_deployable_is_imported_only_through_its_package_root():
    wrong = [f"{found.where}: {found.module} (import {package_of(found.module)} instead)" for found in ALL_IMPORTS
             if package_of(found.module) not in (None, found.owner) and found.module != package_of(found.module)]
    assert not wrong, "private modules of another package:\n" + "\n".join(wrong)


def test_the_image_core_imports_only_the_stdlib_and_pillow():
    wrong = [f"{found.where}: {found.module}" for found in ALL_IMPORTS if found.owner == "thumbrouter.imagecore"
             and not _allowed(found, ALLOWED["thumbrouter.imagecore"])]
    allowed = ", ".join(sorted(ALLOWED["thumbrouter.imagecore"]))
    assert not wrong, f"the image core is pure (stdlib, {allowed}):\n" + "\n".join(wrong)


def test_the_lambda_entry_points_import_only_the_zip_and_the_runtime():
    wrong = [f"{found.where}: {found.module}" for found in ALL_IMPORTS
             if found.owner == "lambda" and not _allowed(found, ALLOWED["lambda"])]
    assert not wrong, "lambda/ runs with the zip's packages and the Lambda runtime only:\n" + "\n".join(wrong)


@pytest.mark.parametrize("owner", sorted(FORBIDDEN))
def test_the_job_never_imports_the_router_or_the_cli_and_the_router_never_imports_the_cli(owner):
    wrong = [f"{found.where}: {found.module}" for found in ALL_IMPORTS if found.owner == owner
             and package_of(found.module) in FORBIDDEN[owner]]
    assert not wrong, f"{owner} must not import {sorted(FORBIDDEN[owner])}:\n" + "\n".join(wrong)


def _allowed(found: Import, extra: set[str]) -> bool:
    top = found.module.split(".")[0]
    return (top in STDLIB or top in extra or package_of(found.module) in extra | {found.owner}
            or found.module == "thumbrouter" and found.owner.startswith("thumbrouter."))


# --- what a fresh interpreter loads ---------------------------------------------------------------------------

LOADED = """
import json, sys
{code}
heavy = {heavy!r}
print(json.dumps(sorted({{name for name in heavy for m in sys.modules if m == name or m.startswith(name + ".")}})))
"""

V1_REQUEST = """
from thumbrouter.router import create_app
app = create_app({{"THUMBROUTER_S3_BUCKET": "photos", "THUMBROUTER_ALLOW_ANONYMOUS": "1",
                  "THUMBROUTER_DOMESTIC_COUNTRIES": "", "THUMBROUTER_ONDEMAND": "{ondemand}",
                  "AWS_ENDPOINT_URL_S3": "http://127.0.0.1:9"}})  # nothing listens: no request leaves the host
answer = app.test_client().post("/v1/download-urls", json={{"items": [{{"key": "a/b.jpg"}}]}},
                                environ_base={{"REMOTE_ADDR": "127.0.0.1"}})
assert answer.status_code == 200, (answer.status_code, answer.get_json())
"""


def loaded(code: str, heavy: tuple[str, ...]) -> list[str]:
    """The `heavy` modules (or packages) a fresh interpreter holds after running `code`."""
    result = subprocess.run([sys.executable, "-c", LOADED.format(code=code, heavy=heavy)], cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_v1_with_on_demand_off_loads_no_image_stack_no_redis_and_no_on_demand_package():
    # thumbrouter.s3job itself loads (the router reads its ThumbnailSpec and S3 error table), Pillow does not.
    heavy = ("PIL", "redis", "thumbrouter.router.ondemand", "thumbrouter.imagecore.pipeline")
    assert loaded(V1_REQUEST.format(ondemand="0"), heavy) == []


HOT_ROUTES = """
from thumbrouter.router import create_app
from thumbrouter.router.fastpath import FastPath
app = create_app({"THUMBROUTER_S3_BUCKET": "photos", "THUMBROUTER_API_TOKENS": "t" * 20, "THUMBROUTER_ONDEMAND": "0",
                  "THUMBROUTER_DOMESTIC_COUNTRIES": "", "AWS_ENDPOINT_URL_S3": "http://127.0.0.1:9"})
assert any(isinstance(m, FastPath) for m in (app.wsgi_app, app.wsgi_app.wsgi_app))
for path, status in (("/thumb/thumb50/a.jpg", 404), ("/v1/download-urls?key=a.jpg", 200)):
    answer = app.test_client().get(path, headers={"Authorization": "Bearer " + "t" * 20})
    assert answer.status_code == status, (path, answer.status_code)
"""


def test_the_hot_routes_fast_path_with_on_demand_off_loads_no_on_demand_package():
    assert loaded(HOT_ROUTES, ("PIL", "redis", "thumbrouter.router.ondemand")) == []


def test_v1_with_on_demand_on_attaches_thumb():
    code = V1_REQUEST.format(ondemand="1") + "assert 'ondemand' in app.blueprints, sorted(app.blueprints)"
    assert loaded(code, ("thumbrouter.router.ondemand",)) == ["thumbrouter.router.ondemand"]


def test_the_image_core_names_and_the_job_package_load_without_pillow():
    code = "import thumbrouter.imagecore, thumbrouter.s3job\nthumbrouter.imagecore.thumbnail_key('a.jpg', '50x50')"
    assert loaded(code, ("PIL",)) == []


def test_the_image_core_loads_pillow_on_first_use_and_never_the_aws_stack():
    code = "from thumbrouter import imagecore\nassert imagecore.make_thumbnail and imagecore.Thumbnail"
    assert loaded(code, ("PIL", "boto3", "botocore")) == ["PIL"]


def test_the_lambda_handlers_load_pillow_at_init_not_on_the_first_record():
    code = ("import os, sys\nos.environ.update(AWS_DEFAULT_REGION='us-east-1')\nsys.path.insert(0, 'lambda')\n"
            "import create_thumbnail, on_demand")
    assert "PIL" in loaded(code, ("PIL",))


def test_thumbrouter_help_imports_none_of_the_commands_dependencies():
    code = ("import contextlib, io\nfrom thumbrouter.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()) as out:\n    try:\n        main(['--help'])\n"
            "    except SystemExit as exc:\n        assert exc.code == 0, exc.code\n"
            "assert 'build-lambda' in out.getvalue()")
    assert loaded(code, ("boto3", "botocore", "PIL", "flask", "tqdm", "python_terraform", "requests")) == []


def test_each_commands_one_line_help_is_its_module_docstrings_first_paragraph():
    for name, (module_name, summary) in COMMANDS.items():
        doc = importlib.import_module(f"thumbrouter.cli.{module_name}").__doc__ or ""
        assert " ".join(doc.split("\n\n")[0].split()) == summary, f"COMMANDS[{name!r}] drifted from its docstring"
