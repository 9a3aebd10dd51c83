"""The reference the hand-written SigV4 presigner is compared with: botocore's own S3 query signer."""

import datetime

from botocore.auth import SIGV4_TIMESTAMP, S3SigV4QueryAuth


class FixedTimeQueryAuth(S3SigV4QueryAuth):
    """botocore's S3 SigV4 query signer, signing at a given instant instead of now.

    Only the timestamp is ours (the router signs at its cache window start); everything else
    (canonical request, scope, UNSIGNED-PAYLOAD) is botocore's own code.
    """

    def __init__(self, credentials, region: str, expires: int, signed_at: int):
        super().__init__(credentials, "s3", region, expires)
        self._signed_at = datetime.datetime.fromtimestamp(signed_at, datetime.UTC).replace(tzinfo=None)

    def add_auth(self, request) -> None:
        request.context["timestamp"] = self._signed_at.strftime(SIGV4_TIMESTAMP)
        self._modify_request_before_signing(request)
        string_to_sign = self.string_to_sign(request, self.canonical_request(request))
        self._inject_signature_to_request(request, self.signature(string_to_sign, request))
