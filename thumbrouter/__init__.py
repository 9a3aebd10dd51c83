"""thumbrouter: one distribution, one package per deployable.

- `thumbrouter.imagecore`: the pure image core (bytes in, bytes out; Pillow only).
- `thumbrouter.s3job`: the S3 thumbnail job (the Lambda, backfill and the router's local generation).
- `thumbrouter.router`: the Flask service (`create_app`).
- `thumbrouter.cli`: the `thumbrouter` command (dev, backfill, build-lambda, deploy).

A package imports another only through its `__init__`. This file ships in the Lambda zip: it imports nothing.
"""
