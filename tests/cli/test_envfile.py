"""read_env_file: the lines `deploy ENV output --env-format` prints come back as the values they quote."""

import shlex

import pytest

from thumbrouter.cli.envfile import MAX_ENV_FILE_BYTES, read_env_file
from thumbrouter.s3job import ConfigError


def test_quoted_values_comments_and_blank_lines_are_read_as_a_shell_would(tmp_path):
    path = tmp_path / "router.env"
    path.write_text(f"# the router\n\nA={shlex.quote('public, max-age=60')}\nB=\nC='x # not a comment' # one\n")
    assert read_env_file(path) == {"A": "public, max-age=60", "B": "", "C": "x # not a comment"}


@pytest.mark.parametrize("line", ["export A=1", "A=1 B=2", "=1", "1A=2", "A='open", "just words"])
def test_a_line_that_is_not_one_assignment_is_refused_naming_the_file_and_line(tmp_path, line):
    path = tmp_path / "bad.env"
    path.write_text(f"OK=1\n{line}\n")
    with pytest.raises(ConfigError, match=f"^{path}:2: "):
        read_env_file(path)


def test_a_missing_an_oversized_or_a_binary_file_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="No such file"):
        read_env_file(tmp_path / "absent.env")
    (tmp_path / "big.env").write_bytes(b"A=" + b"x" * MAX_ENV_FILE_BYTES)
    with pytest.raises(ConfigError, match="over"):
        read_env_file(tmp_path / "big.env")
    (tmp_path / "bin.env").write_bytes(b"A=\xff\n")
    with pytest.raises(ConfigError, match="decode"):
        read_env_file(tmp_path / "bin.env")
