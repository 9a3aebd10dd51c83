# The thumbnail bucket's name is a convention the router and the functions rely on, not a choice.
# This file needs nothing but variables.tf, so the tests evaluate it with real Terraform.
locals {
  resized_bucket = "${var.source_bucket}resized"
}
