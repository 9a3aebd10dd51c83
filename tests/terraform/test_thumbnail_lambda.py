"""modules/thumbnail-lambda: least privilege, the artifact, settings, logs, retries and loop detection."""

from tests.terraform.iam import grants as policy_grants
from tests.terraform.iam import policy
from tests.terraform.support import (
    ENVIRONMENTS,
    MODULES,
    evaluate,
    labelled,
    load_dir,
    one,
    resource,
    stack_call,
    stack_calls,
    typed,
)

LAMBDA = MODULES["thumbnail-lambda"]
SETTINGS_VARIABLES = {"THUMBNAILER_THN_BUCKET", "THUMBNAILER_THUMBNAIL_SIZES", "THUMBNAILER_THUMBNAIL_FIT",
                      "THUMBNAILER_MAX_PIXELS", "THUMBNAILER_MAX_BYTES", "THUMBNAILER_JPEG_QUALITY",
                      "THUMBNAILER_CACHE_CONTROL", "THUMBNAILER_PRESETS", "THUMBNAILER_CDN_DISTRIBUTION_ID"}


def statements() -> list[dict]:
    return typed(load_dir(LAMBDA), "data", "aws_iam_policy_document")["lambda"]["statement"]


LOG_GROUP = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/CreateThumbnail"
DEAD_LETTER = "arn:aws:sqs:us-east-1:123456789012:CreateThumbnail-failures"
REFERENCES = {"aws_cloudwatch_log_group.lambda.arn": LOG_GROUP, "aws_sqs_queue.dead_letter.arn": DEAD_LETTER}


def grants(variables: dict) -> set[tuple[str, str]]:
    """(action, resource) pairs of the role policy, as Terraform renders it for these module variables."""
    required = {"function_name": "CreateThumbnail", "zip_path": "f.zip", **variables}
    return policy_grants(policy(LAMBDA, "lambda", required, REFERENCES))


def test_role_policy_allows_exactly_the_handlers_actions_on_its_own_resources():
    assert grants({"source_bucket": "demo", "resized_bucket": "demoresized", "allow_thumbnail_delete": False}) == {
        ("s3:GetObject", "arn:aws:s3:::demo/*"),
        ("s3:ListBucket", "arn:aws:s3:::demo"),
        ("s3:PutObject", "arn:aws:s3:::demoresized/*"),
        ("logs:CreateLogStream", f"{LOG_GROUP}:*"),
        ("logs:PutLogEvents", f"{LOG_GROUP}:*"),
        ("sqs:SendMessage", DEAD_LETTER),
    }


def test_no_statement_uses_wildcard_actions_or_negations():
    for statement in statements():
        assert not any("*" in action for action in statement["actions"])
        assert "not_actions" not in statement and "not_resources" not in statement


def test_the_role_is_for_lambda_and_carries_only_that_policy():
    assume = typed(load_dir(LAMBDA), "data", "aws_iam_policy_document")["assume_lambda"]
    statement = one(assume["statement"])
    assert statement["actions"] == ["sts:AssumeRole"]
    assert one(statement["principals"]) == {"type": "Service", "identifiers": ["lambda.amazonaws.com"]}
    assert resource(LAMBDA, "aws_iam_role_policy", "lambda")["policy"] == "${data.aws_iam_policy_document.lambda.json}"
    config = load_dir(LAMBDA)
    assert not typed(config, "resource", "aws_iam_role_policy_attachment")
    assert "managed_policy_arns" not in resource(LAMBDA, "aws_iam_role", "lambda")


def test_environments_grant_the_function_their_own_buckets():
    for call in (stack_calls()["thumbnailer"], stack_calls()["on_demand"]):
        assert call["source_bucket"] == "${module.buckets.source_bucket}"
        assert call["resized_bucket"] == "${module.buckets.resized_bucket}"
    for env in ENVIRONMENTS:
        source = stack_call(env)["source_bucket"]
        granted = grants({"source_bucket": source, "resized_bucket": f"{source}resized"})
        assert ("s3:PutObject", f"arn:aws:s3:::{source}resized/*") in granted


def test_function_is_built_from_the_zip_and_redeployed_when_it_changes():
    function = resource(LAMBDA, "aws_lambda_function", "this")
    assert function["filename"] == "${var.zip_path}"
    assert function["source_code_hash"] == "${filebase64sha256(var.zip_path)}"
    assert function["runtime"] == "${var.runtime}"
    assert function["architectures"] == ["${var.architecture}"]


def test_defaults_match_the_issue():
    variables = labelled(load_dir(LAMBDA), "variable")
    assert variables["runtime"]["default"] == "python3.12"
    assert variables["architecture"]["default"] == "x86_64"
    assert variables["memory_size"]["default"] == 1024
    assert variables["timeout"]["default"] == 30
    assert variables["handler"]["default"] == "create_thumbnail.handler"


def test_function_gets_the_environment_terraform_renders_for_it():
    # tests/terraform/test_rendered_configuration.py evaluates local.environment and parses it.
    function = resource(LAMBDA, "aws_lambda_function", "this")
    assert one(function["environment"])["variables"] == "${local.environment}"
    every_setting = {"sizes": ["50x50"], "mode": "fit", "max_pixels": 1, "max_bytes": 1, "jpeg_quality": 1,
                     "cache_control": "no-store", "presets": "thumb50=50x50"}
    distribution = {"id": "EDFDVBD6EXAMPLE", "arn": "arn:aws:cloudfront::123456789012:distribution/EDFDVBD6EXAMPLE"}
    variables = {"function_name": "f", "zip_path": "f.zip", "source_bucket": "demo", "resized_bucket": "demoresized",
                 "settings": every_setting, "cdn_distribution": distribution}
    rendered = evaluate(LAMBDA, ("environment.tf",), {"environment": "local.environment"}, variables)["environment"]
    assert set(rendered) == SETTINGS_VARIABLES


def test_function_logs_to_its_own_log_group_with_retention():
    function = resource(LAMBDA, "aws_lambda_function", "this")
    group = resource(LAMBDA, "aws_cloudwatch_log_group", "lambda")
    assert one(function["logging_config"])["log_group"] == "${aws_cloudwatch_log_group.lambda.name}"
    assert group["name"] == "/aws/lambda/${var.function_name}"
    assert group["retention_in_days"] == "${var.log_retention_days}"


def test_failed_async_events_go_to_an_encrypted_queue_after_bounded_retries():
    invoke = resource(LAMBDA, "aws_lambda_function_event_invoke_config", "async")
    assert invoke["maximum_retry_attempts"] == "${var.async_invoke.maximum_retry_attempts}"
    assert invoke["maximum_event_age_in_seconds"] == "${var.async_invoke.maximum_event_age_in_seconds}"
    on_failure = one(one(invoke["destination_config"])["on_failure"])
    assert on_failure["destination"] == "${aws_sqs_queue.dead_letter.arn}"
    assert resource(LAMBDA, "aws_sqs_queue", "dead_letter")["sqs_managed_sse_enabled"] is True


def test_recursive_loop_detection_stays_on():
    loop = resource(LAMBDA, "aws_lambda_function_recursion_config", "loop_detection")
    assert loop == {"function_name": "${aws_lambda_function.this.function_name}", "recursive_loop": "Terminate"}


def test_concurrency_is_reserved_and_bounded_by_default():
    function = resource(LAMBDA, "aws_lambda_function", "this")
    assert function["reserved_concurrent_executions"] == "${var.reserved_concurrency}"
    assert labelled(load_dir(LAMBDA), "variable")["reserved_concurrency"]["default"] > 0


def test_thumbnail_lookup_is_an_opt_in_grant_on_the_resized_bucket_only():
    content = optional_statements()["LookUpThumbnails"]
    assert content["for_each"] == '${var.allow_thumbnail_lookup ? ["lookup"] : []}'
    assert content["actions"] == ["s3:GetObject", "s3:ListBucket"]
    assert content["resources"] == ["arn:${local.partition}:s3:::${var.resized_bucket}",
                                    "arn:${local.partition}:s3:::${var.resized_bucket}/*"]
    assert labelled(load_dir(LAMBDA), "variable")["allow_thumbnail_lookup"]["default"] is False


def optional_statements() -> dict[str, dict]:
    """The role policy's dynamic statements by sid: their content plus the for_each that switches them on."""
    document = typed(load_dir(LAMBDA), "data", "aws_iam_policy_document")["lambda"]
    blocks = [block["statement"] for block in document["dynamic"]]
    return {one(b["content"])["sid"]: one(b["content"]) | {"for_each": b["for_each"]} for b in blocks}


def test_deleting_thumbnails_grants_delete_on_resized_objects_and_listing_of_both_buckets_only():
    statements = optional_statements()
    assert set(statements) == {"DeleteThumbnails", "FindThumbnailsOfAnySize", "LookUpThumbnails", "UseBucketKey",
                               "InvalidateDeletedOriginals"}
    assert statements["DeleteThumbnails"]["for_each"] == '${var.allow_thumbnail_delete ? ["delete"] : []}'
    assert statements["FindThumbnailsOfAnySize"]["for_each"] == '${var.allow_thumbnail_delete ? ["list"] : []}'
    assert statements["FindThumbnailsOfAnySize"]["actions"] == ["s3:ListBucket"]
    assert statements["FindThumbnailsOfAnySize"]["resources"] == ["arn:${local.partition}:s3:::${var.resized_bucket}"]
    assert statements["DeleteThumbnails"]["actions"] == ["s3:DeleteObject"]
    assert statements["DeleteThumbnails"]["resources"] == ["arn:${local.partition}:s3:::${var.resized_bucket}/*"]
    assert labelled(load_dir(LAMBDA), "variable")["allow_thumbnail_delete"]["default"] is True


def test_every_entry_may_list_the_source_bucket_so_a_missing_original_is_a_404_not_a_403():
    # The code retries every 403 on a GET (a wrong role, KMS, a bucket policy): without this grant a deleted
    # upload, and /thumb of a key that never existed, would be retried instead of answered as missing.
    document = typed(load_dir(LAMBDA), "data", "aws_iam_policy_document")["lambda"]
    statements = {s["sid"]: s for s in document["statement"]}
    assert statements["CheckOriginalIsGone"]["actions"] == ["s3:ListBucket"]
    assert statements["CheckOriginalIsGone"]["resources"] == ["arn:${local.partition}:s3:::${var.source_bucket}"]


def test_only_the_s3_triggered_function_may_delete_thumbnails():
    calls = stack_calls()
    assert "allow_thumbnail_delete" not in calls["thumbnailer"]
    assert calls["on_demand"]["allow_thumbnail_delete"] is False


def test_only_the_on_demand_function_may_look_up_thumbnails():
    calls = stack_calls()
    assert "allow_thumbnail_lookup" not in calls["thumbnailer"]
    assert calls["on_demand"]["allow_thumbnail_lookup"] is True
    assert calls["on_demand"]["handler"] == "on_demand.handler"
    assert calls["on_demand"]["function_name"] == "${var.function_name}-OnDemand"


def test_a_kms_key_adds_decrypt_and_data_keys_on_that_key_only():
    key = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    buckets = {"source_bucket": "demo", "resized_bucket": "demoresized"}
    assert grants({**buckets, "kms_key_arn": key}) - grants(buckets) == {("kms:Decrypt", key),
                                                                         ("kms:GenerateDataKey", key)}
    assert labelled(load_dir(LAMBDA), "variable")["kms_key_arn"]["default"] is None


def test_invalidation_is_granted_on_the_stacks_own_distribution_only_to_the_deleting_entry():
    statement = optional_statements()["InvalidateDeletedOriginals"]
    assert statement["actions"] == ["cloudfront:CreateInvalidation"]
    assert statement["resources"] == ["${var.cdn_distribution.arn}"]
    assert statement["for_each"] == ('${var.cdn_distribution != null && var.allow_thumbnail_delete ? '
                                     '["invalidate"] : []}')
    assert stack_calls()["thumbnailer"]["cdn_distribution"] == (
        "${var.cdn.enabled ? {id = module.cdn[0].distribution_id, arn = module.cdn[0].distribution_arn} : null}")
    assert "cdn_distribution" not in stack_calls()["on_demand"]


def test_the_distribution_id_reaches_the_function_only_with_a_cdn_and_parses():
    from thumbrouter.s3job import LambdaSettings

    base = {"function_name": "f", "zip_path": "f.zip", "source_bucket": "demo", "resized_bucket": "demoresized"}
    without = evaluate(LAMBDA, ("environment.tf",), {"environment": "local.environment"}, base)["environment"]
    assert "THUMBNAILER_CDN_DISTRIBUTION_ID" not in without
    distribution = {"id": "EDFDVBD6EXAMPLE", "arn": "arn:aws:cloudfront::123456789012:distribution/EDFDVBD6EXAMPLE"}
    with_cdn = evaluate(LAMBDA, ("environment.tf",), {"environment": "local.environment"},
                        base | {"cdn_distribution": distribution})["environment"]
    assert LambdaSettings.from_env(with_cdn).cdn_distribution_id == "EDFDVBD6EXAMPLE"
