"""modules/thumbnail-lambda: least privilege, the artifact, settings, logs, retries and loop detection."""

from tests.terraform.support import (
    ENVIRONMENTS,
    MODULES,
    labelled,
    load_dir,
    one,
    render,
    resource,
    stack_call,
    stack_calls,
    typed,
)

LAMBDA = MODULES["thumbnail-lambda"]
SETTINGS_VARIABLES = {"THN_BUCKET", "THUMBNAIL_SIZES", "THUMBNAIL_MODE", "MAX_PIXELS", "MAX_BYTES", "JPEG_QUALITY",
                      "CACHE_CONTROL", "CDN_DISTRIBUTION_ID"}


def statements() -> list[dict]:
    return typed(load_dir(LAMBDA), "data", "aws_iam_policy_document")["lambda"]["statement"]


def grants(variables: dict, partition: str = "aws") -> set[tuple[str, str]]:
    """(action, resource) pairs of the role policy, S3 ARNs evaluated for the given module variables."""
    pairs = set()
    for statement in statements():
        assert statement.get("effect", "Allow") == "Allow"
        for action in statement["actions"]:
            for arn in statement["resources"]:
                pairs.add((action, render(arn.replace("${local.partition}", partition), variables)
                           if "${var." in arn else arn))
    return pairs


def test_role_policy_allows_exactly_the_handlers_actions_on_its_own_resources():
    assert grants({"source_bucket": "demo", "resized_bucket": "demoresized"}) == {
        ("s3:GetObject", "arn:aws:s3:::demo/*"),
        ("s3:PutObject", "arn:aws:s3:::demoresized/*"),
        ("logs:CreateLogStream", "${aws_cloudwatch_log_group.lambda.arn}:*"),
        ("logs:PutLogEvents", "${aws_cloudwatch_log_group.lambda.arn}:*"),
        ("sqs:SendMessage", "${aws_sqs_queue.dead_letter.arn}"),
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


def test_function_gets_every_setting_of_the_lambda_and_writes_to_the_resized_bucket():
    variables = one(resource(LAMBDA, "aws_lambda_function", "this")["environment"])["variables"]
    assert set(variables) == SETTINGS_VARIABLES
    assert variables["THN_BUCKET"] == "${var.resized_bucket}"


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
    assert set(statements) == {"DeleteThumbnails", "CheckOriginalIsGone", "FindThumbnailsOfAnySize",
                               "LookUpThumbnails", "InvalidateDeletedOriginals"}
    assert statements["DeleteThumbnails"]["for_each"] == '${var.allow_thumbnail_delete ? ["delete"] : []}'
    assert statements["CheckOriginalIsGone"]["for_each"] == '${var.allow_thumbnail_delete ? ["check"] : []}'
    assert statements["FindThumbnailsOfAnySize"]["for_each"] == '${var.allow_thumbnail_delete ? ["list"] : []}'
    assert statements["FindThumbnailsOfAnySize"]["actions"] == ["s3:ListBucket"]
    assert statements["FindThumbnailsOfAnySize"]["resources"] == ["arn:${local.partition}:s3:::${var.resized_bucket}"]
    assert statements["DeleteThumbnails"]["actions"] == ["s3:DeleteObject"]
    assert statements["DeleteThumbnails"]["resources"] == ["arn:${local.partition}:s3:::${var.resized_bucket}/*"]
    assert statements["CheckOriginalIsGone"]["actions"] == ["s3:ListBucket"]
    assert statements["CheckOriginalIsGone"]["resources"] == ["arn:${local.partition}:s3:::${var.source_bucket}"]
    assert labelled(load_dir(LAMBDA), "variable")["allow_thumbnail_delete"]["default"] is True


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


def test_invalidation_is_granted_on_the_stacks_own_distribution_only_to_the_deleting_entry():
    statement = optional_statements()["InvalidateDeletedOriginals"]
    assert statement["actions"] == ["cloudfront:CreateInvalidation"]
    assert statement["resources"] == ["${var.cdn_distribution.arn}"]
    assert statement["for_each"] == ('${var.cdn_distribution != null && var.allow_thumbnail_delete ? '
                                     '["invalidate"] : []}')
    assert stack_calls()["thumbnailer"]["cdn_distribution"] == (
        "${var.cdn.enabled ? {id = module.cdn[0].distribution_id, arn = module.cdn[0].distribution_arn} : null}")
    assert "cdn_distribution" not in stack_calls()["on_demand"]


def test_without_a_cdn_the_function_gets_a_blank_distribution_id_which_it_reads_as_none():
    from thumbrouter.s3job import LambdaSettings

    variables = one(resource(LAMBDA, "aws_lambda_function", "this")["environment"])["variables"]
    assert variables["CDN_DISTRIBUTION_ID"] == '${var.cdn_distribution == null ? "" : var.cdn_distribution.id}'
    assert LambdaSettings.from_env({"CDN_DISTRIBUTION_ID": ""}).cdn_distribution_id is None
