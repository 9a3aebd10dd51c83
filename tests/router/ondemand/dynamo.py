"""A single-flight lock table on the local moto server, made the way terraform/modules/router-function makes it."""

import uuid

import boto3

from thumbrouter.router.ondemand.dynamolocks import KEY, TTL_ATTRIBUTE


def client(url: str):
    return boto3.client("dynamodb", endpoint_url=url, region_name="us-east-1")


def create_lock_table(url: str) -> str:
    """A fresh on-demand table keyed by `name` with TTL on `expires_at`; returns its name."""
    name, dynamodb = f"locks-{uuid.uuid4().hex[:12]}", client(url)
    dynamodb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                          AttributeDefinitions=[{"AttributeName": KEY, "AttributeType": "S"}],
                          KeySchema=[{"AttributeName": KEY, "KeyType": "HASH"}])
    dynamodb.update_time_to_live(TableName=name, TimeToLiveSpecification={"Enabled": True,
                                                                         "AttributeName": TTL_ATTRIBUTE})
    return name


def item(url: str, table: str, name: str) -> dict | None:
    return client(url).get_item(TableName=table, Key={KEY: {"S": name}}, ConsistentRead=True).get("Item")
