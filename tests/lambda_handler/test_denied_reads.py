"""A GET refused with 403 is a deployment error, retried and then sent to the failure queue, never "missing".

Run against a moto server that enforces IAM: the job's client holds exactly the policy each test gives
it, so the 403 is S3's real answer to a role that lacks s3:GetObject, and a 404 is its answer to a
deleted key under a role that has s3:ListBucket (as the stack's roles do).
"""

import pytest

from tests.lambda_handler.helpers import image_bytes, s3_event, s3_record, sqs_message
from tests.support.iam import EnforcingAws
from thumbrouter.s3job import ObjectRecord, TransientError, process_object
from thumbrouter.s3job.batch import BatchRetryError
from thumbrouter.s3job.settings import LambdaSettings

JPEG = image_bytes()
SOURCE, RESIZED = "denied-src", "denied-srcresized"


def policy(*statements: tuple[list[str], list[str]]) -> dict:
    return {"Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": actions, "Resource": resources}
                          for actions, resources in statements]}


LIST = (["s3:ListBucket"], [f"arn:aws:s3:::{SOURCE}", f"arn:aws:s3:::{RESIZED}"])
WRITE = (["s3:PutObject"], [f"arn:aws:s3:::{RESIZED}/*"])
READ = (["s3:GetObject"], [f"arn:aws:s3:::{SOURCE}/*"])


@pytest.fixture(scope="module")
def enforcing():
    server = EnforcingAws().start()
    admin = server.client()
    for bucket in (SOURCE, RESIZED):
        admin.create_bucket(Bucket=bucket)
    admin.put_object(Bucket=SOURCE, Key="a.jpg", Body=JPEG)
    yield server
    server.stop()


@pytest.fixture
def job_as(enforcing, lambda_module, monkeypatch):
    """Make the Lambda handler's S3 client one that holds exactly `policy`; returns that client."""
    def bind(document: dict):
        client = enforcing.client_with(document)
        monkeypatch.setattr(lambda_module, "default_s3_client", lambda: client)
        return client
    return bind


def test_the_server_really_denies_what_the_policy_lacks(enforcing):
    client = enforcing.client_with(policy(LIST, WRITE))
    with pytest.raises(Exception, match="AccessDenied|Forbidden|403"):
        client.get_object(Bucket=SOURCE, Key="a.jpg")


def test_a_denied_get_is_transient_not_a_missing_original(enforcing):
    client = enforcing.client_with(policy(LIST, WRITE))
    with pytest.raises(TransientError, match="GET s3://denied-src/a.jpg"):
        process_object(client, ObjectRecord(SOURCE, "a.jpg", len(JPEG)), LambdaSettings())


def test_a_denied_get_is_retried_by_lambda_then_reaches_the_failure_queue(job_as, lambda_module):
    job_as(policy(LIST, WRITE))
    with pytest.raises(BatchRetryError, match="s3://denied-src/a.jpg") as raised:
        lambda_module.handler(s3_event(s3_record(SOURCE, "a.jpg", size=len(JPEG))), None)
    assert isinstance(raised.value.__cause__, TransientError)


def test_a_denied_get_from_sqs_returns_its_message_for_retry(job_as, lambda_module):
    job_as(policy(LIST, WRITE))
    event = s3_event(sqs_message(s3_event(s3_record(SOURCE, "a.jpg", size=len(JPEG))), "m-denied"))
    assert lambda_module.handler(event, None) == {"batchItemFailures": [{"itemIdentifier": "m-denied"}]}


def test_a_deleted_original_under_the_stacks_permissions_is_a_404_and_dropped(job_as, lambda_module):
    job_as(policy(LIST, WRITE, READ))
    assert lambda_module.handler(s3_event(s3_record(SOURCE, "gone.jpg")), None) == {"failed_permanent": 1, "retry": 0}


def test_with_the_read_granted_the_same_record_makes_its_thumbnail(job_as, lambda_module, enforcing):
    job_as(policy(LIST, WRITE, READ))
    assert lambda_module.handler(s3_event(s3_record(SOURCE, "a.jpg", size=len(JPEG))), None) == {
        "created": 1, "retry": 0}
    assert enforcing.client().head_object(Bucket=RESIZED, Key="a_50x50.jpg")["ContentLength"] > 0
