"""build-lambda: a reproducible zip with the handler and Pillow, that runs on its own against local S3."""

import importlib.util
import io
import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from PIL import Image

from tests.cli.conftest import local_request, run_cli
from tests.support.images import heic_bytes, marker_picture
from thumbrouter.cli import artifact
from thumbrouter.cli.artifact import ArtifactError, Size, check_limits
from thumbrouter.cli.build_lambda import REPO, ensure_artifact
from thumbrouter.imagecore import thumbnail_key

# What the Lambda runtime provides besides the zip: boto3 and its dependencies, nothing else.
RUNTIME_PACKAGES = ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "urllib3", "six")
RUNNER = """
import json, sys
import boto3, create_thumbnail, isal, zlib_ng, PIL, pillow_heif, thumbrouter.imagecore, thumbrouter.s3job
from thumbrouter.imagecore import resample
result = create_thumbnail.handler(json.loads(sys.argv[1]), None)
print(json.dumps({"result": result, "create_thumbnail": create_thumbnail.__file__, "isal": isal.__file__,
                  "zlib_ng": zlib_ng.__file__,
                  "resize": resample.describe(), "cykooz": getattr(resample.cykooz_resizer, "__file__", None),
                  "pillow_heif": pillow_heif.__file__,
                  "imagecore": thumbrouter.imagecore.__file__,
                  "s3job": thumbrouter.s3job.__file__, "PIL": PIL.__file__, "boto3": boto3.__file__}))
"""


def names(zip_path: Path) -> list[str]:
    with zipfile.ZipFile(zip_path) as archive:
        return archive.namelist()


def small_root(tmp_path: Path) -> Path:
    """A copy of what the zip ships (lambda/ and thumbrouter/) to edit without touching the repo."""
    root = tmp_path / "repo"
    for name in ("lambda", "thumbrouter"):
        shutil.copytree(REPO / name, root / name, ignore=shutil.ignore_patterns("__pycache__"))
    return root


def test_two_builds_of_the_same_inputs_are_identical_bytes(local_zip, tmp_path):
    again = ensure_artifact(local_request(tmp_path), force=True)
    assert again.built
    assert again.path.read_bytes() == local_zip.path.read_bytes()


def test_the_zip_holds_the_handler_package_and_pillow_at_its_root(local_zip):
    entries = names(local_zip.path)
    assert "create_thumbnail.py" in entries
    assert "thumbrouter/__init__.py" in entries and "thumbrouter/imagecore/pipeline.py" in entries
    assert "thumbrouter/s3job/job.py" in entries
    assert "PIL/Image.py" in entries
    assert any(name.startswith("PIL/_imaging.") and name.endswith(".so") for name in entries)
    assert any(name.startswith("isal/isal_zlib.") and name.endswith(".so") for name in entries)
    assert any(name.startswith("zlib_ng/zlib_ng.") and name.endswith(".so") for name in entries)
    assert "pillow_heif/HeifImagePlugin.py" in entries
    assert any(name.startswith("_pillow_heif.") and name.endswith(".so") for name in entries)
    simd = any(name.startswith("cykooz_resizer/rust_lib.") and name.endswith(".so") for name in entries)
    assert simd == (local_zip.path.name.find("x86_64") >= 0)  # the SIMD resizer has x86_64 wheels only


@pytest.mark.parametrize(("arch", "extra"), [("x86_64", ["cykooz-resizer"]), ("arm64", [])])
def test_the_simd_resizer_is_bundled_for_x86_64_only_with_its_marker_dropped(arch, extra):
    pins = artifact.bundled_pins(REPO / "requirements.txt", artifact.CONTENTS["thumbnailer"].bundled_for(arch))
    assert [pin.split("==")[0] for pin in pins] == ["pillow", "isal", "zlib-ng", "pillow-heif", *extra]
    assert all(";" not in pin and "==" in pin for pin in pins)


def test_the_zip_leaves_out_boto3_bytecode_tests_the_router_and_the_cli(local_zip):
    for name in names(local_zip.path):
        assert not name.startswith(("thumbrouter/router/", "thumbrouter/cli/")), name
        assert name != "router_lambda.py", name
        assert not name.startswith(("boto3/", "botocore/", "s3transfer/")), name
        assert "__pycache__" not in name and not name.endswith(".pyc"), name
        assert "/tests/" not in name and not name.startswith("tests/"), name


def test_every_entry_has_the_fixed_date_and_a_fixed_permission(local_zip):
    with zipfile.ZipFile(local_zip.path) as archive:
        infos = archive.infolist()
    assert [info.filename for info in infos] == sorted(info.filename for info in infos)
    assert {info.date_time for info in infos} == {(1980, 1, 1, 0, 0, 0)}
    assert {info.external_attr >> 16 for info in infos} <= {0o100644, 0o100755}


def test_the_reported_size_matches_the_file_and_its_contents(local_zip):
    with zipfile.ZipFile(local_zip.path) as archive:
        unzipped = sum(info.file_size for info in archive.infolist())
    assert local_zip.size == Size(zipped=local_zip.path.stat().st_size, unzipped=unzipped)
    assert local_zip.size.zipped < artifact.ZIP_LIMIT


def test_unchanged_inputs_reuse_the_zip_and_a_changed_file_rebuilds_it(tmp_path):
    request = local_request(tmp_path / "dist", root=small_root(tmp_path))
    first = ensure_artifact(request)
    first_bytes = first.path.read_bytes()
    assert first.built and not ensure_artifact(request).built

    # Bytecode that running the code leaves behind is not an input.
    core = request.root / "thumbrouter" / "imagecore"
    (core / "__pycache__").mkdir(exist_ok=True)
    (core / "__pycache__" / "naming.cpython-311.pyc").write_bytes(b"\0")
    assert not ensure_artifact(request).built

    (core / "extra_note.py").write_text("NOTE = 1\n")
    rebuilt = ensure_artifact(request)
    assert rebuilt.built
    assert "thumbrouter/imagecore/extra_note.py" in names(rebuilt.path)
    assert rebuilt.path.read_bytes() != first_bytes


def test_a_zip_over_the_limit_is_refused_and_nothing_is_left_in_dist(tmp_path, monkeypatch):
    monkeypatch.setattr(artifact, "ZIP_LIMIT", 1024)
    request = local_request(tmp_path / "dist")
    with pytest.raises(ArtifactError, match="at most"):
        ensure_artifact(request)
    assert not request.zip_path.exists() and not request.stamp_path.exists()


@pytest.mark.parametrize("size", [Size(zipped=51 * 2**20, unzipped=60 * 2**20),
                                  Size(zipped=40 * 2**20, unzipped=251 * 2**20)])
def test_lambdas_zipped_and_unzipped_limits_are_both_enforced(size):
    with pytest.raises(ArtifactError, match="Lambda accepts at most"):
        check_limits(size)


def test_a_lambda_dir_without_the_handler_is_a_clear_error(tmp_path):
    root = small_root(tmp_path)
    (root / "lambda" / "create_thumbnail.py").unlink()
    with pytest.raises(ArtifactError, match="create_thumbnail.py not found"):
        ensure_artifact(local_request(tmp_path / "dist", root=root))


def test_an_unpinned_pillow_is_refused(tmp_path):
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("boto3==1.44.5\npillow>=10\n")
    with pytest.raises(ArtifactError, match="pin pillow exactly"):
        ensure_artifact(local_request(tmp_path / "dist", requirements=requirements))


def test_a_requirements_file_without_isal_is_refused(tmp_path):
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("boto3==1.44.5\npillow==13.0.0\n")
    with pytest.raises(ArtifactError, match="no isal==X.Y.Z line"):
        ensure_artifact(local_request(tmp_path / "dist", requirements=requirements))


def test_the_cli_reports_the_size_and_reuses_an_up_to_date_zip(local_zip):
    done = run_cli("build-lambda", "--platform", "local", "--out", str(local_zip.path.parent))
    assert done.returncode == 0, done.stderr
    assert f"{local_zip.path}: " in done.stdout and "MiB zipped" in done.stdout
    assert "(up to date)" in done.stdout


def test_the_cli_refuses_a_local_build_for_another_python(tmp_path):
    done = run_cli("build-lambda", "--platform", "local", "--python", "3.2", "--out", str(tmp_path))
    assert done.returncode == 1
    assert "builds for this interpreter" in done.stderr


def lambda_runtime_dir(tmp_path: Path) -> Path:
    """A directory holding only boto3 and its dependencies, as the Lambda runtime does."""
    runtime = tmp_path / "runtime"
    runtime.mkdir()
    for name in RUNTIME_PACKAGES:
        spec = importlib.util.find_spec(name)
        origin = Path(spec.origin)
        source = origin.parent if origin.name == "__init__.py" else origin
        (runtime / source.name).symlink_to(source)
    return runtime


def s3_put_event(bucket: str, encoded_key: str, size: int) -> dict:
    record = {"eventVersion": "2.1", "eventSource": "aws:s3", "awsRegion": "us-east-1",
              "eventName": "ObjectCreated:Put",
              "s3": {"bucket": {"name": bucket, "arn": f"arn:aws:s3:::{bucket}"},
                     "object": {"key": encoded_key, "size": size, "eTag": "0"}}}
    return {"Records": [record]}


def jpeg_bytes() -> bytes:
    image = Image.linear_gradient("L").resize((640, 480)).convert("RGB")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def test_the_extracted_zip_runs_the_handler_alone_against_local_s3(local_zip, s3_server, s3, buckets, tmp_path):
    source, resized = buckets
    data, heic = jpeg_bytes(), heic_bytes(marker_picture((160, 120)))
    s3.put_object(Bucket=source, Key="photos/a b.jpg", Body=data)
    s3.put_object(Bucket=source, Key="photos/IMG_0001.HEIC", Body=heic)
    extracted = tmp_path / "task"
    with zipfile.ZipFile(local_zip.path) as archive:
        archive.extractall(extracted)
    env = {"PYTHONPATH": f"{extracted}:{lambda_runtime_dir(tmp_path)}", "PYTHONDONTWRITEBYTECODE": "1",
           "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_REGION": "us-east-1",
           "AWS_ENDPOINT_URL_S3": s3_server.url, "AWS_CONFIG_FILE": "/dev/null",
           "AWS_SHARED_CREDENTIALS_FILE": "/dev/null", "AWS_EC2_METADATA_DISABLED": "true"}
    records = s3_put_event(source, "photos/a+b.jpg", len(data))["Records"]
    records += s3_put_event(source, "photos/IMG_0001.HEIC", len(heic))["Records"]
    event = json.dumps({"Records": records})
    # -S: no site-packages, so the repo's editable install and the venv's Pillow are out of reach.
    done = subprocess.run([sys.executable, "-S", "-c", RUNNER, event], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    simd = local_zip.path.name.find("x86_64") >= 0
    bundled = ("PIL", "isal", "zlib_ng", "pillow_heif", *(["cykooz"] * simd))
    for module in ("create_thumbnail", "imagecore", "s3job", *bundled):
        assert Path(report[module]).is_relative_to(extracted), report
    assert report["resize"].startswith("SIMD Lanczos-3" if simd else "Pillow's resampler"), report
    thumbnail = s3.get_object(Bucket=resized, Key=thumbnail_key("photos/a b.jpg"))["Body"].read()
    assert max(Image.open(io.BytesIO(thumbnail)).size) == 50
    from_heic = s3.get_object(Bucket=resized, Key="photos/IMG_0001_50x50.HEIC.webp")
    assert from_heic["ContentType"] == "image/webp"
    assert Image.open(io.BytesIO(from_heic["Body"].read())).size == (50, 38)
