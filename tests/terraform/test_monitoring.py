"""Monitoring as code: the alarm topic, the pipeline's and the router's alarms, the /healthz health check and the
dashboard. Alarm definitions and the dashboard body are rendered by real Terraform (support.evaluate)."""

import re
from pathlib import Path

import pytest

from tests.terraform.support import (
    MODULES,
    REPO,
    evaluate,
    labelled,
    load_dir,
    one,
    refusal,
    resource,
    stack_calls,
    typed,
)
from thumbrouter.s3job.job import Outcome

TOPIC, PIPELINE, ROUTER = MODULES["alarm-topic"], MODULES["pipeline-alarms"], MODULES["router-alarms"]
HEALTH, DASHBOARD = MODULES["health-check"], MODULES["dashboard"]
TOPIC_ARN = "arn:aws:sns:us-east-1:123456789012:thumbrouter-alarms"
PIPELINE_VARS = {"name_prefix": "demo", "alarm_topic_arn": TOPIC_ARN, "dead_letter_queue_name": "fn-failures",
                 "thumbnail_function": {"name": "fn", "timeout_seconds": 30, "log_group_name": "/aws/lambda/fn"}}
# The metrics each alarm and widget may read: what AWS publishes for these services, and the project's own.
AWS_METRICS = {
    "AWS/Lambda": {"Invocations", "Errors", "Throttles", "Duration", "ConcurrentExecutions", "AsyncEventAge",
                   "AsyncEventsDropped", "UrlRequestCount", "Url4xxCount", "Url5xxCount"},
    "AWS/SQS": {"ApproximateNumberOfMessagesVisible", "ApproximateAgeOfOldestMessage"},
    "AWS/Route53": {"HealthCheckStatus"},
    "thumbrouter": {"ThumbnailsCreated", "Requests", "ClientErrors", "ServerErrors", "Latency"},
}
# What the router writes as Embedded Metric Format lines on Lambda (thumbrouter.router.emf).
EMF_METRICS = {"Requests", "ClientErrors", "ServerErrors", "Latency"}


def alarms(module: Path = PIPELINE, **variables) -> dict:
    given = (PIPELINE_VARS if module == PIPELINE else {"name_prefix": "demo", "alarm_topic_arn": TOPIC_ARN,
                                                       "router_function_name": "router"}) | variables
    return evaluate(module, ("alarms.tf",), {"alarms": "local.alarms"}, given)["alarms"]


def test_the_pipeline_alarms_cover_the_queue_the_function_and_its_async_events():
    found = alarms()
    assert {name: (a["namespace"], a["metric"], a["stat"]) for name, a in found.items()} == {
        "failures-waiting": ("AWS/SQS", "ApproximateNumberOfMessagesVisible", "Maximum"),
        "oldest-failure-age": ("AWS/SQS", "ApproximateAgeOfOldestMessage", "Maximum"),
        "thumbnail-errors": ("AWS/Lambda", "Errors", "Sum"),
        "thumbnail-throttles": ("AWS/Lambda", "Throttles", "Sum"),
        "thumbnail-duration": ("AWS/Lambda", "Duration", "p99"),
        "async-event-age": ("AWS/Lambda", "AsyncEventAge", "Maximum"),
        "async-events-dropped": ("AWS/Lambda", "AsyncEventsDropped", "Sum"),
    }
    assert found["failures-waiting"]["dimensions"] == {"QueueName": "fn-failures"}
    assert all(a["dimensions"] == {"FunctionName": "fn"} for n, a in found.items() if a["namespace"] == "AWS/Lambda")


def test_the_duration_alarm_fires_near_the_functions_own_timeout():
    assert alarms()["thumbnail-duration"]["threshold"] == 24_000  # 80 % of 30 s, in ms
    longer = PIPELINE_VARS["thumbnail_function"] | {"timeout_seconds": 60}
    assert alarms(thumbnail_function=longer, thresholds={"duration_share_of_timeout": 0.5})[
        "thumbnail-duration"]["threshold"] == 30_000


def test_the_on_demand_function_gets_its_alarms_only_when_it_exists():
    with_it = alarms(on_demand_function_name="od")
    assert with_it["on-demand-errors"]["dimensions"] == {"FunctionName": "od"}
    assert {"on-demand-errors", "on-demand-throttles"} <= set(with_it)
    assert not {n for n in alarms() if n.startswith("on-demand")}


@pytest.mark.parametrize("module", [PIPELINE, ROUTER])
def test_every_alarm_notifies_the_topic_on_alarm_and_on_recovery(module):
    for alarm in typed(load_dir(module), "resource", "aws_cloudwatch_metric_alarm").values():
        assert alarm["alarm_actions"] == ["${var.alarm_topic_arn}"] == alarm["ok_actions"]
        assert alarm["actions_enabled"] is True


def test_every_alarm_reads_a_metric_aws_publishes():
    definitions = list(alarms(on_demand_function_name="od").values()) + [
        a | {"namespace": "AWS/Lambda"} for a in alarms(ROUTER).values()]
    for alarm in definitions:
        assert alarm["metric"] in AWS_METRICS[alarm["namespace"]], alarm


def test_the_created_filter_counts_the_log_line_of_a_created_thumbnail_and_nothing_else():
    pattern = evaluate(PIPELINE, ("alarms.tf",), {"pattern": "local.created_pattern"}, PIPELINE_VARS)["pattern"]
    # A CloudWatch filter pattern of one quoted term matches lines containing that exact text.
    assert pattern.startswith('"') and pattern.endswith('"')
    term = pattern[1:-1].replace('\\"', '"')
    line = lambda status: f"[INFO]\t2026-01-01T00:00:00Z\treq\t{Outcome(status, 'demo', 'a.jpg').log_line()}"  # noqa: E731
    assert term in line("created")
    assert not any(term in line(status) for status in ("deleted", "skipped", "failed_permanent"))
    metric = one(resource(PIPELINE, "aws_cloudwatch_log_metric_filter", "thumbnails_created")["metric_transformation"])
    assert metric["name"] == labelled(load_dir(DASHBOARD), "variable")["thumbnails_created_metric"]["default"]["name"]


def test_the_router_alarms_cover_errors_throttles_p99_and_the_5xx_rate():
    found = alarms(ROUTER)
    assert {n: (a["metric"], a["stat"]) for n, a in found.items()} == {
        "router-errors": ("Errors", "Sum"), "router-throttles": ("Throttles", "Sum"),
        "router-p99-duration": ("Duration", "p99")}
    assert found["router-p99-duration"]["threshold"] == 5000
    rate = resource(ROUTER, "aws_cloudwatch_metric_alarm", "server_error_rate")
    queries = {q["id"]: q for q in rate["metric_query"]}
    assert queries["rate"]["expression"] == "IF(requests > 0, 100 * errors / requests, 0)"
    names = {one(queries[i]["metric"])["metric_name"] for i in ("errors", "requests")}
    assert names == {"Url5xxCount", "UrlRequestCount"} and names <= AWS_METRICS["AWS/Lambda"]


def test_the_topic_is_encrypted_with_a_rotated_key_cloudwatch_may_use_and_only_cloudwatch_publishes():
    topic = resource(TOPIC, "aws_sns_topic", "this")
    assert topic["kms_master_key_id"] == "${aws_kms_key.this.arn}"
    assert resource(TOPIC, "aws_kms_key", "this")["enable_key_rotation"] is True
    documents = typed(load_dir(TOPIC), "data", "aws_iam_policy_document")
    key_statements = {s["sid"]: s for s in documents["key"]["statement"]}
    assert one(key_statements["CloudWatchPublishes"]["principals"])["identifiers"] == ["cloudwatch.amazonaws.com"]
    publish = one(documents["topic"]["statement"])
    assert publish["actions"] == ["sns:Publish"] and publish["resources"] == ["${aws_sns_topic.this.arn}"]
    assert one(publish["principals"]) == {"type": "Service", "identifiers": ["cloudwatch.amazonaws.com"]}
    assert one(publish["condition"])["variable"] == "aws:SourceAccount"


def test_the_email_subscription_is_optional_and_must_be_an_address():
    subscription = resource(TOPIC, "aws_sns_topic_subscription", "email")
    assert subscription["count"] == "${var.email == null ? 0 : 1}" and subscription["protocol"] == "email"
    assert refusal(TOPIC, (), {"name": "alarms", "email": "ops@example.com"}) == ""
    assert "email must be an e-mail address" in refusal(TOPIC, (), {"name": "alarms", "email": "ops"})


def test_the_health_check_gets_healthz_over_https_and_alarms_from_us_east_1():
    check = resource(HEALTH, "aws_route53_health_check", "this")
    assert (check["type"], check["port"], check["fqdn"], check["resource_path"]) == (
        "HTTPS", 443, "${var.host}", "${var.path}")
    assert labelled(load_dir(HEALTH), "variable")["path"]["default"] == "/healthz"
    alarm = resource(HEALTH, "aws_cloudwatch_metric_alarm", "this")
    assert (alarm["namespace"], alarm["metric_name"], alarm["comparison_operator"], alarm["threshold"]) == (
        "AWS/Route53", "HealthCheckStatus", "LessThanThreshold", 1)
    assert alarm["dimensions"] == {"HealthCheckId": "${aws_route53_health_check.this.id}"}
    assert one(alarm["lifecycle"])["precondition"][0]["condition"] == '${data.aws_region.current.region == "us-east-1"}'
    given = {"name": "demo", "host": "abc.lambda-url.us-east-1.on.aws", "alarm_topic_arn": TOPIC_ARN}
    assert refusal(HEALTH, (), given) == ""
    assert "in us-east-1" in refusal(HEALTH, (), given | {
        "alarm_topic_arn": TOPIC_ARN.replace("us-east-1", "eu-west-1")})
    assert "host must be a host name" in refusal(HEALTH, (), given | {
        "host": "https://abc.lambda-url.us-east-1.on.aws/"})


def dashboard(**variables) -> dict:
    region = {"region.tf": 'locals {\n  region = "eu-west-1"\n}\n'}  # main.tf reads it from the provider
    given = {"name": "demo", "thumbnail_function_name": "fn", "dead_letter_queue_name": "fn-failures"} | variables
    return evaluate(DASHBOARD, ("dashboard.tf",), {"body": "local.body"}, given, region)["body"]


def _metrics(widget: dict) -> list[tuple[str, str]]:
    return [(m[0], m[1]) for m in widget["properties"]["metrics"] if isinstance(m[0], str)]


def test_the_dashboard_shows_thumbnails_created_and_on_demand_generations_per_minute():
    widgets = dashboard(on_demand_function_name="od", router_function_name="router",
                        health_check_id="hc-1", alarm_arns=["arn:aws:cloudwatch:eu-west-1:1:alarm:x"])["widgets"]
    by_title = {w["properties"]["title"]: w for w in widgets}
    assert _metrics(by_title["Thumbnails created per minute"]) == [("thumbrouter", "ThumbnailsCreated")]
    generations = by_title["On-demand generations per minute"]["properties"]["metrics"]
    assert generations[0][:4] == ["AWS/Lambda", "Invocations", "FunctionName", "od"]
    assert generations[0][4]["period"] == 60
    assert by_title["Health check of /healthz (1 = healthy)"]["properties"]["region"] == "us-east-1"
    assert by_title["Thumbnail function: invocations, errors, throttles"]["properties"]["region"] == "eu-west-1"
    assert by_title["Alarms"]["properties"]["alarms"] == ["arn:aws:cloudwatch:eu-west-1:1:alarm:x"]
    for widget in widgets:
        for namespace, metric in _metrics(widget) if widget["type"] == "metric" else []:
            assert metric in AWS_METRICS[namespace], (namespace, metric)
    cells = [(x, y) for w in widgets
             for x in range(w["x"], w["x"] + w["width"]) for y in range(w["y"], w["y"] + w["height"])]
    assert len(cells) == len(set(cells))  # no widget covers another


def test_the_routers_own_emf_metrics_are_shown_by_their_service_dimension():
    widgets = dashboard(router_function_name="router")["widgets"]
    emf = [m for w in widgets for m in w["properties"]["metrics"]
           if m[0] == "thumbrouter" and m[1] != "ThumbnailsCreated"]
    assert {(m[1], m[2], m[3]) for m in emf} == {(name, "service", "router") for name in EMF_METRICS}
    assert {m[4]["stat"] for m in emf if m[1] == "Latency"} == {"p50", "p99"}
    emf_module = pytest.importorskip("thumbrouter.router.emf")  # the router's writer of these lines
    assert (emf_module.NAMESPACE, emf_module.SERVICE) == ("thumbrouter", "router")
    assert {m["Name"] for m in emf_module.REQUEST_METRICS} == EMF_METRICS


def test_optional_parts_leave_the_dashboard_when_absent():
    titles = [w["properties"]["title"] for w in dashboard()["widgets"]]
    assert len(titles) == 5 and not any("Router" in t or "On-demand" in t or "Health" in t for t in titles)
    assert "Alarms" not in titles


def test_the_stack_watches_its_own_functions_and_queue_through_one_topic():
    calls = stack_calls()
    alarms_call, board = calls["pipeline_alarms"], calls["dashboard"]
    assert alarms_call["alarm_topic_arn"] == "${module.alarm_topic.topic_arn}"
    assert alarms_call["thumbnail_function"] == {
        "name": "${module.thumbnailer.function_name}", "timeout_seconds": "${module.thumbnailer.timeout}",
        "log_group_name": "${module.thumbnailer.log_group_name}"}
    assert alarms_call["dead_letter_queue_name"] == board["dead_letter_queue_name"] == (
        "${module.thumbnailer.dead_letter_queue_name}")
    assert alarms_call["on_demand_function_name"] == board["on_demand_function_name"] == (
        "${one(module.on_demand[*].function_name)}")
    assert board["thumbnails_created_metric"] == "${module.pipeline_alarms.thumbnails_created_metric}"
    assert board["alarm_arns"] == (
        "${concat(values(module.pipeline_alarms.alarm_arns), try(var.router_monitoring.alarm_arns, []))}")
    assert calls["alarm_topic"]["email"] == "${var.alarm_email}"
    thumbnailer = load_dir(MODULES["thumbnail-lambda"])
    assert labelled(thumbnailer, "output")["dead_letter_queue_name"]["value"] == "${aws_sqs_queue.dead_letter.name}"
    queue = resource(MODULES["thumbnail-lambda"], "aws_sqs_queue", "dead_letter")
    assert queue["name"] == "${var.function_name}-failures"


STACK_VARS = {"source_bucket": "demo", "function_name": "fn", "lambda_zip_path": "dist/thumbnailer-3.12-x86_64.zip"}


def dashboards_router_arguments(**variables) -> dict:
    """The router arguments thumbnail-stack gives its dashboard, as Terraform evaluates them."""
    board = stack_calls()["dashboard"]
    names = ("router_function_name", "health_check_id")
    expressions = {name: board[name].removeprefix("${").removesuffix("}") for name in names}
    expressions["router_alarms"] = "try(var.router_monitoring.alarm_arns, [])"
    assert "try(var.router_monitoring.alarm_arns, [])" in board["alarm_arns"]
    found = evaluate(MODULES["thumbnail-stack"], (), expressions, STACK_VARS | variables)
    return {name: found.get(name) for name in expressions}  # Terraform keeps no null output


def test_the_stacks_dashboard_shows_the_router_only_when_the_caller_runs_one():
    assert dashboards_router_arguments() == {"router_function_name": None, "health_check_id": None,
                                             "router_alarms": []}
    given = {"function_name": "router", "health_check_id": "hc-1", "alarm_arns": [TOPIC_ARN]}
    assert dashboards_router_arguments(router_monitoring=given) == {
        "router_function_name": "router", "health_check_id": "hc-1", "router_alarms": [TOPIC_ARN]}
    assert dashboards_router_arguments(router_monitoring={"function_name": "router"})["router_alarms"] == []


def documented_alarms() -> set[str]:
    """The alarm names in the first column of docs/operations.md's alarm table."""
    text = (REPO / "docs" / "operations.md").read_text()
    table = text.split("## The alarms", 1)[1].split("\n\n|", 1)[1].split("\n\n", 1)[0]
    rows = [line for line in ("|" + table).splitlines()[2:] if line.startswith("|")]
    return {name for row in rows for name in re.findall(r"`([a-z0-9-]+)`", row.split("|")[1])}


def test_the_operations_page_explains_exactly_the_alarms_the_modules_make():
    pipeline = set(alarms(on_demand_function_name="od"))
    router = set(alarms(ROUTER)) | {"router-5xx-rate"}  # the metric-math alarm of router-alarms' main.tf
    assert resource(ROUTER, "aws_cloudwatch_metric_alarm", "server_error_rate")["alarm_name"] == (
        "${var.name_prefix}-router-5xx-rate")
    assert resource(HEALTH, "aws_cloudwatch_metric_alarm", "this")["alarm_name"] == "${var.name}-healthz"
    assert documented_alarms() == pipeline | router | {"healthz"}
