"""Every role Terraform declares, loaded with its own statements into an IAM that enforces them.

The statements are the modules' policy documents as Terraform renders them (tests/terraform/iam.py)
for one stack's buckets; each becomes the only policy of a user in moto's enforcing server
(tests/support/iam.py). The real code then runs with exactly those credentials: the S3-triggered
function's create and delete paths, the on-demand function, `thumbrouter backfill` under the operator
policy image-buckets documents, and the router's S3 backend and local /thumb generation. What they
do is allowed; what they must never do is denied. Presigned URLs and lambda:InvokeFunction (moto runs
no function without Docker) are judged by moto's own evaluator.
"""

import subprocess
import sys
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from tests.support.iam import EnforcingAws, Identity, JudgedDeletes, allows, presigned_object
from tests.support.images import encode, gradient
from tests.terraform.iam import ACCOUNT, REGION, policy
from tests.terraform.support import MODULES, stack_calls
from thumbrouter.imagecore import thumbnail_key
from thumbrouter.router.ondemand.backends import LocalBackend
from thumbrouter.router.ondemand.pool import GenerationPool
from thumbrouter.router.storage.s3 import S3Storage
from thumbrouter.router.urlcache import Window
from thumbrouter.s3job import (
    LambdaSettings,
    ObjectRecord,
    ThumbnailSpec,
    generate,
    parse_request,
    process_object,
    remove_thumbnails,
)

SOURCE, RESIZED, ELSEWHERE = "photos", "photosresized", "another-stack"
FUNCTION = "CreateThumbnail"
ON_DEMAND = f"{FUNCTION}-OnDemand"
KEY_ARN = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
SETTINGS = LambdaSettings(spec=ThumbnailSpec(dest_bucket=RESIZED))
ROLES = ("thumbnailer", "on_demand", "backfill", "router")


def function_arn(name: str) -> str:
    return f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}"


def function_policy(call: str, **extra) -> dict:
    """The role policy of the stack's `thumbnailer` or `on_demand` call, with the stack's own switches."""
    name = FUNCTION if call == "thumbnailer" else ON_DEMAND
    switches = {k: v for k, v in stack_calls()[call].items() if k.startswith("allow_")}
    references = {
        "aws_cloudwatch_log_group.lambda.arn": f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/lambda/{name}",
        "aws_sqs_queue.dead_letter.arn": f"arn:aws:sqs:{REGION}:{ACCOUNT}:{name}-failures"}
    variables = {"function_name": name, "zip_path": "f.zip", "source_bucket": SOURCE, "resized_bucket": RESIZED}
    return policy(MODULES["thumbnail-lambda"], "lambda", {**variables, **switches, **extra}, references)


def role_policy(role: str, **extra) -> dict:
    if role in ("thumbnailer", "on_demand"):
        return function_policy(role, **extra)
    if role == "backfill":
        return policy(MODULES["image-buckets"], "backfill", {"source_bucket": SOURCE, **extra})
    router = {"name": FUNCTION, "source_bucket": SOURCE, "resized_bucket": RESIZED,
              "on_demand_function_arn": function_arn(ON_DEMAND), "allow_local_generation": True}
    return policy(MODULES["router-access"], "this", {**router, **extra})


@pytest.fixture(scope="module")
def aws():
    server = EnforcingAws().start()
    admin = server.client("s3")
    for bucket in (SOURCE, RESIZED, ELSEWHERE):
        admin.create_bucket(Bucket=bucket)
    admin.put_object(Bucket=ELSEWHERE, Key="private.jpg", Body=encode(gradient(), "JPEG"))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def identities(aws) -> dict[str, Identity]:
    return {role: aws.identity(role, role_policy(role)) for role in ROLES}


@pytest.fixture
def original(aws, request) -> str:
    """A fresh JPEG original in the stack's source bucket, uploaded by admin."""
    key = f"uploads/{request.node.name[:40]} photo.jpg"
    aws.client("s3").put_object(Bucket=SOURCE, Key=key, Body=encode(gradient((300, 200)), "JPEG"))
    return key


def exists(aws, bucket: str, key: str) -> bool:
    try:
        aws.client("s3").head_object(Bucket=bucket, Key=key)
        return True
    except ClientError:
        return False


def test_the_s3_triggered_function_makes_and_removes_thumbnails_under_its_own_role(aws, identities, original):
    role = identities["thumbnailer"]
    s3 = JudgedDeletes(aws.client("s3", role), aws.client("s3"), role.policy)
    assert process_object(s3, ObjectRecord(SOURCE, original), SETTINGS).status == "created"
    assert exists(aws, RESIZED, thumbnail_key(original))
    aws.client("s3").delete_object(Bucket=SOURCE, Key=original)  # a user deletes it; the function cannot
    assert remove_thumbnails(s3, ObjectRecord(SOURCE, original, removed=True), SETTINGS).status == "deleted"
    assert not exists(aws, RESIZED, thumbnail_key(original))


def test_the_on_demand_function_looks_up_and_generates_under_its_own_role(aws, identities, original):
    s3 = aws.client("s3", identities["on_demand"])
    request = parse_request({"bucket": SOURCE, "key": original, "size": "50x50"}, SETTINGS)
    assert generate(s3, request, SETTINGS)["status"] == "created"
    assert generate(s3, request, SETTINGS)["status"] == "exists"


def test_backfill_runs_under_the_documented_operator_policy(aws, identities, original):
    command = [str(Path(sys.executable).parent / "thumbrouter"), "backfill", "--bucket", SOURCE, "--prefix", original]
    env = {"PATH": "/usr/bin:/bin", **identities["backfill"].environ(aws.url)}
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "created 1" in done.stdout and "failed 0" in done.stdout
    assert exists(aws, RESIZED, thumbnail_key(original))


def router_storage(aws, identity: Identity) -> S3Storage:
    return S3Storage(SOURCE, region=REGION, endpoint_url=aws.url, session=identity.session(), spec=SETTINGS.spec)


def test_the_routers_download_urls_and_upload_targets_are_signed_with_rights_it_has(aws, identities, original):
    router = identities["router"]
    storage = router_storage(aws, router)
    download, thumbnail = storage.download_urls(original, thumbnail=True, filename="photo.jpg",
                                                window=Window(signed_at=1_700_000_000, expires_at=1_700_003_600))
    upload = storage.upload("uploads/new.jpg", content_type="image/jpeg", size=1000, expires=300)
    assert presigned_object(download) == f"arn:aws:s3:::{SOURCE}/{original}"
    assert presigned_object(thumbnail) == f"arn:aws:s3:::{RESIZED}/{thumbnail_key(original)}"
    assert allows(router.policy, "s3:GetObject", presigned_object(download))
    assert allows(router.policy, "s3:GetObject", presigned_object(thumbnail))
    assert allows(router.policy, "s3:PutObject", presigned_object(upload.url))


def test_the_router_probes_heads_and_generates_thumbnails_under_its_policy(aws, identities, original):
    router = identities["router"]
    storage = router_storage(aws, router)
    # /readyz HEADs both buckets: AWS authorizes HeadBucket as s3:ListBucket, moto as "s3:HeadBucket" (an
    # action IAM does not have), so the probe is judged by the evaluator.
    assert {storage.bucket, storage.thumbnail_bucket} == {SOURCE, RESIZED}
    assert all(allows(router.policy, "s3:ListBucket", f"arn:aws:s3:::{bucket}") for bucket in (SOURCE, RESIZED))
    assert storage.head(RESIZED, thumbnail_key(original)) is None
    backend = LocalBackend(GenerationPool(1, 1), s3=aws.client("s3", router), job=SETTINGS)
    request = parse_request({"bucket": SOURCE, "key": original, "size": "50x50"}, SETTINGS)
    assert backend.submit(request).result(timeout=60)["status"] == "created"
    assert storage.head(RESIZED, thumbnail_key(original)) is not None


def urls_in(answer) -> list[str]:
    """Every URL in a JSON answer."""
    if isinstance(answer, dict):
        return [url for value in answer.values() for url in urls_in(value)]
    return [answer] if isinstance(answer, str) and answer.startswith("http") else []


def test_the_router_app_serves_v1_and_thumb_as_its_identity(aws, identities, original, monkeypatch):
    from thumbrouter.router import create_app

    router = identities["router"]
    for name, value in router.environ(aws.url).items():  # boto3's chain in the app: the router's keys only
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", aws.url)
    app = create_app({"THUMBROUTER_S3_BUCKET": SOURCE, "THUMBROUTER_THN_BUCKET": RESIZED, "AWS_REGION": REGION,
                      "THUMBROUTER_DOMESTIC_COUNTRIES": "", "THUMBROUTER_ALLOW_ANONYMOUS": "1",
                      "AWS_ENDPOINT_URL_S3": aws.url, "THUMBROUTER_GENERATION_POOL_SIZE": "1"})
    client = app.test_client()
    downloads = client.get("/v1/download-urls", query_string={"key": original})
    upload = client.post("/v1/upload-targets", json={"key": "uploads/new.jpg", "content_type": "image/jpeg",
                                                     "size": 1000})
    assert (downloads.status_code, upload.status_code) == (200, 200), (downloads.data, upload.data)
    signed = urls_in(downloads.get_json())
    assert len(signed) == 2 and all(allows(router.policy, "s3:GetObject", presigned_object(url)) for url in signed)
    assert allows(router.policy, "s3:PutObject", presigned_object(urls_in(upload.get_json())[0]))
    thumb = client.get(f"/thumb/thumb50/{original}")  # HEAD of the missing thumbnail, then generation
    assert thumb.status_code == 302, thumb.data
    assert exists(aws, RESIZED, thumbnail_key(original))
    assert client.get(f"/thumb/thumb50/{original}").status_code == 302  # now the HEAD finds it


@pytest.mark.parametrize("role", ["thumbnailer", "on_demand"])
def test_a_function_may_dead_letter_to_its_own_failure_queue_only(aws, identities, role):
    # Lambda sends a failed asynchronous event to the on_failure destination with the function's role.
    sqs = aws.client("sqs")
    own = sqs.create_queue(QueueName=f"{FUNCTION if role == 'thumbnailer' else ON_DEMAND}-failures")["QueueUrl"]
    other = sqs.create_queue(QueueName="someone-elses-queue")["QueueUrl"]
    as_role = aws.client("sqs", identities[role])
    as_role.send_message(QueueUrl=own, MessageBody="{}")
    with pytest.raises(ClientError) as denied:
        as_role.send_message(QueueUrl=other, MessageBody="{}")
    # moto's SQS answers the JSON protocol with its XML error as the message.
    assert "not authorized to perform: sqs:SendMessage" in denied.value.response["Error"]["Message"]


def test_the_router_may_invoke_the_on_demand_function_and_no_other():
    router = role_policy("router")
    assert allows(router, "lambda:InvokeFunction", function_arn(ON_DEMAND))
    assert not allows(router, "lambda:InvokeFunction", function_arn(FUNCTION))
    assert not allows(role_policy("router", on_demand_function_arn=None), "lambda:InvokeFunction",
                      function_arn(ON_DEMAND))


def put(bucket: str, key: str = "x.jpg"):
    return lambda s3: s3.put_object(Bucket=bucket, Key=key, Body=b"not an image")


def delete(bucket: str, key: str = "x.jpg"):
    return lambda s3: s3.delete_object(Bucket=bucket, Key=key)


def read(bucket: str, key: str = "private.jpg"):
    return lambda s3: s3.get_object(Bucket=bucket, Key=key)


def listing(bucket: str):
    return lambda s3: s3.list_objects_v2(Bucket=bucket)


# What each role must never do, whatever the code asks for.
FORBIDDEN = [
    ("thumbnailer", "write into the source bucket", put(SOURCE)),
    ("on_demand", "write into the source bucket", put(SOURCE)),
    ("backfill", "write into the source bucket", put(SOURCE)),
    ("on_demand", "delete a thumbnail", delete(RESIZED)),
    ("router", "delete a thumbnail", delete(RESIZED)),
    ("backfill", "delete a thumbnail", delete(RESIZED)),
    *[(role, "delete an original", delete(SOURCE)) for role in ROLES],
    *[(role, "read a bucket outside its stack", read(ELSEWHERE)) for role in ROLES],
    *[(role, "list a bucket outside its stack", listing(ELSEWHERE)) for role in ROLES],
    *[(role, "write a bucket outside its stack", put(ELSEWHERE)) for role in ROLES],
]


@pytest.mark.parametrize(("role", "what", "call"), FORBIDDEN, ids=[f"{r}: {w}" for r, w, _ in FORBIDDEN])
def test_what_a_role_must_not_do_is_denied(aws, identities, role, what, call):
    aws.client("s3").put_object(Bucket=SOURCE, Key="x.jpg", Body=b"an original")
    aws.client("s3").put_object(Bucket=RESIZED, Key="x.jpg", Body=b"a thumbnail")
    with pytest.raises(ClientError) as denied:
        call(aws.client("s3", identities[role]))
    assert denied.value.response["Error"]["Code"] == "AccessDenied"


def test_the_router_cannot_presign_what_it_may_not_do():
    router = role_policy("router", allow_local_generation=False)
    assert not allows(router, "s3:GetObject", f"arn:aws:s3:::{ELSEWHERE}/private.jpg")
    assert not allows(router, "s3:DeleteObject", f"arn:aws:s3:::{SOURCE}/x.jpg")
    assert not allows(router, "s3:PutObject", f"arn:aws:s3:::{RESIZED}/x.jpg")


def test_the_denials_are_the_policies_doing_not_the_emulator(aws):
    # The same forbidden calls as admin succeed: a denial above is the role's policy, not a broken setup.
    admin = aws.client("s3")
    put(SOURCE)(admin)
    read(ELSEWHERE)(admin)
    delete(SOURCE)(admin)


@pytest.mark.parametrize("role", ROLES)
def test_with_sse_kms_every_role_may_use_the_buckets_key_and_only_it(role):
    with_key = role_policy(role, kms_key_arn=KEY_ARN)
    other_key = KEY_ARN.replace("1234abcd", "99999999")
    for action in ("kms:Decrypt", "kms:GenerateDataKey"):
        assert allows(with_key, action, KEY_ARN)
        assert not allows(with_key, action, other_key)
        assert not allows(role_policy(role), action, KEY_ARN)


def test_the_stack_gives_its_kms_key_to_the_buckets_and_both_functions():
    calls = stack_calls()
    for call in ("buckets", "thumbnailer", "on_demand"):
        assert calls[call]["kms_key_arn"] == "${var.kms_key_arn}", call
