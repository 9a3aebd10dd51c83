"""modules/bucket-notification: which objects invoke the function, and who may invoke it."""

from tests.terraform.support import MODULES, labelled, load_dir, one, resource, stack_calls
from thumbrouter.imagecore import EXTENSIONS

NOTIFICATION = MODULES["bucket-notification"]
# Every extension the image core takes, as typed and as phones and cameras write it (IMG_0001.HEIC).
SUFFIXES = {suffix for extension in EXTENSIONS for suffix in (extension, extension.upper())}


def variables() -> dict:
    return labelled(load_dir(NOTIFICATION), "variable")


def overlapping(suffixes) -> list[tuple[str, str]]:
    """Pairs S3 would reject: with no prefix, filters overlap when one suffix ends with another."""
    return [(a, b) for a in suffixes for b in suffixes if a != b and a.endswith(b)]


def test_every_object_created_removed_and_lifecycle_expired_event_is_delivered():
    assert variables()["events"]["default"] == ["s3:ObjectCreated:*", "s3:ObjectRemoved:*", "s3:LifecycleExpiration:*"]


def test_the_events_validation_admits_the_three_families():
    [validation] = variables()["events"]["validation"]
    for family in ("s3:ObjectCreated:", "s3:ObjectRemoved:", "s3:LifecycleExpiration:"):
        assert f'"{family}"' in validation["condition"]


def test_every_extension_of_the_image_core_is_filtered_in_both_cases():
    default = variables()["suffixes"]["default"]
    assert len(default) == 16 and set(default) == SUFFIXES


def test_suffix_filters_do_not_overlap():
    assert overlapping(variables()["suffixes"]["default"]) == []


def test_the_overlap_rule_catches_what_s3_rejects():
    assert overlapping([".jpg", "a.jpg", ".JPG"]) == [("a.jpg", ".jpg")]


def test_one_lambda_function_block_per_suffix_with_the_events():
    notification = resource(NOTIFICATION, "aws_s3_bucket_notification", "this")
    dynamic = one(notification["dynamic"])["lambda_function"]
    assert dynamic["for_each"] == "${var.suffixes}"
    content = one(dynamic["content"])
    assert content["filter_suffix"] == "${lambda_function.value}"
    assert content["events"] == "${var.events}"
    assert content["lambda_function_arn"] == "${var.function_arn}"
    assert "filter_prefix" not in content
    assert notification["bucket"] == "${var.bucket}"


def test_notification_waits_for_the_permission():
    notification = resource(NOTIFICATION, "aws_s3_bucket_notification", "this")
    assert notification["depends_on"] == ["${aws_lambda_permission.allow_s3}"]


def test_only_s3_for_this_bucket_in_this_account_may_invoke_the_function():
    permission = resource(NOTIFICATION, "aws_lambda_permission", "allow_s3")
    assert permission["action"] == "lambda:InvokeFunction"
    assert permission["principal"] == "s3.amazonaws.com"
    assert permission["function_name"] == "${var.function_arn}"
    assert permission["source_arn"] == "${var.bucket_arn}"
    assert permission["source_account"] == "${data.aws_caller_identity.current.account_id}"


def test_environments_watch_the_source_bucket_never_the_resized_one():
    call = stack_calls()["notification"]
    assert call["bucket"] == "${module.buckets.source_bucket}"
    assert call["bucket_arn"] == "${module.buckets.source_bucket_arn}"
    assert call["function_arn"] == "${module.thumbnailer.function_arn}"
    assert "suffixes" not in call and "events" not in call
