"""Environment files: the KEY=value lines `thumbrouter deploy ENV output --env-format` prints, read back."""

import shlex
from pathlib import Path

from thumbrouter.s3job import ConfigError

MAX_ENV_FILE_BYTES = 1024 * 1024  # an environment file is a few dozen lines


def read_env_file(path: Path) -> dict[str, str]:
    """KEY=value lines (shell-quoted; blanks and # comments skipped). Raises ConfigError naming path:line."""
    try:
        with path.open("rb") as f:
            data = f.read(MAX_ENV_FILE_BYTES + 1)
        if len(data) > MAX_ENV_FILE_BYTES:
            raise ConfigError(f"{path}: over {MAX_ENV_FILE_BYTES} bytes")
        text = data.decode()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: {exc}") from None
    variables = {}
    for number, line in enumerate(text.splitlines(), 1):
        try:
            words = shlex.split(line, comments=True)
        except ValueError as exc:
            raise ConfigError(f"{path}:{number}: {exc}") from None
        name, equals, value = (words[0] if len(words) == 1 else "").partition("=")
        if words and not (equals and name.isidentifier()):
            raise ConfigError(f"{path}:{number}: want one NAME=value, got {line.strip()!r}")
        if words:
            variables[name] = value
    return variables
