"""CloudFront signed URLs: canned policy, RSA 2048 with SHA-256 (`Hash-Algorithm=SHA256`).

Canned, because every URL grants one path until one time, which is all a download link needs, and a
canned URL is shorter than a custom one. RSA with PKCS#1 v1.5, because its signatures are deterministic:
every worker signs the same window to the same URL, so browsers and the CDN cache it (ECDSA signatures
are randomised, so each worker would hand out another URL). SHA-256 rather than botocore's SHA-1
(`botocore.signers.CloudFrontSigner` signs RSA-SHA1 only), which CloudFront accepts when the URL says so.
The private key comes from the secret store through THUMBROUTER_CDN_PRIVATE_KEY, never from Terraform.
An RSA signature costs far more CPU than a SigV4 presign (bench/results/cdn.md, the /v1 answer rows), which
is why the router's windowed URL cache matters more with the CDN on.
"""

import base64
import json
from dataclasses import dataclass, field
from urllib.parse import quote

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from thumbrouter.s3job import cdn_path

from ..config import ConfigError

KEY_BITS = 2048  # the only RSA size CloudFront accepts in a key group
HASHES = {"SHA1": hashes.SHA1, "SHA256": hashes.SHA256}
# CloudFront's URL-safe base64: '+' -> '-', '=' -> '_', '/' -> '~'.
_URL_SAFE = str.maketrans("+=/", "-_~")


def canned_policy(resource: str, expires_at: int) -> str:
    """The canned policy CloudFront rebuilds from a URL and its Expires (no whitespace, this key order)."""
    statement = {"Resource": resource, "Condition": {"DateLessThan": {"AWS:EpochTime": expires_at}}}
    return json.dumps({"Statement": [statement]}, separators=(",", ":"))


def load_private_key(pem: str) -> rsa.RSAPrivateKey:
    """An RSA 2048 private key from PEM text; raises ConfigError naming THUMBROUTER_CDN_PRIVATE_KEY (never the key)."""
    try:
        key = serialization.load_pem_private_key(pem.encode("ascii"), password=None)
    except (ValueError, TypeError, UnicodeEncodeError, UnsupportedAlgorithm):
        raise ConfigError("THUMBROUTER_CDN_PRIVATE_KEY must be an unencrypted PEM private key") from None
    if not isinstance(key, rsa.RSAPrivateKey) or key.key_size != KEY_BITS:
        raise ConfigError("THUMBROUTER_CDN_PRIVATE_KEY must be an RSA 2048 key: signatures must be deterministic "
                          "so every worker hands out the same URL (ECDSA's are not)")
    return key


@dataclass(frozen=True)
class CdnSigner:
    """Signs URLs of one distribution (`https://<domain>/...`) with one key of its key group."""

    domain: str
    key_id: str
    private_key: rsa.RSAPrivateKey = field(repr=False)
    hash_algorithm: str = "SHA256"

    @classmethod
    def from_pem(cls, domain: str, key_id: str, pem: str) -> "CdnSigner":
        """Raises ConfigError for a key CloudFront cannot verify."""
        return cls(domain, key_id, load_private_key(pem))

    def url(self, path: str, query: dict[str, str] | None = None) -> str:
        """The unsigned URL of a path (an S3 key under the distribution), percent-encoded as S3Storage does."""
        base = f"https://{self.domain}{cdn_path(path)}"  # the path the Lambda invalidates
        if not query:
            return base
        return base + "?" + "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in query.items())

    def sign(self, url: str, expires_at: int) -> str:
        """`url` plus Expires, Signature, Key-Pair-Id (and Hash-Algorithm unless SHA-1), valid until `expires_at`."""
        policy = canned_policy(url, expires_at).encode("ascii")
        signature = self.private_key.sign(policy, padding.PKCS1v15(), HASHES[self.hash_algorithm]())
        params = f"Expires={expires_at}&Signature={base64.b64encode(signature).decode().translate(_URL_SAFE)}"
        params += f"&Key-Pair-Id={self.key_id}"
        if self.hash_algorithm != "SHA1":
            params += f"&Hash-Algorithm={self.hash_algorithm}"
        return url + ("&" if "?" in url else "?") + params
