"""router/gunicorn.conf.py as gunicorn reads it: the control socket is off, or one per instance."""

import os
import subprocess
import sys

import pytest
from gunicorn.ctl.client import ControlClient

from tests.support.waiting import wait_until

from .ondemand.fleet import ROOT, RouterProcess
from .ondemand.helpers import app_env

APP = "thumbrouter.router:create_app()"


def printed_config(env: dict) -> dict[str, str]:
    """gunicorn's own `--print-config` of router/gunicorn.conf.py under `env`: {setting: value}."""
    full = os.environ | {"THUMBROUTER_ALLOW_ANONYMOUS": "1", "THUMBROUTER_S3_BUCKET": "photos",
                         "THUMBROUTER_DOMESTIC_COUNTRIES": ""} | env
    done = subprocess.run([sys.executable, "-m", "gunicorn", "--print-config", "-c", "router/gunicorn.conf.py", APP],
                          cwd=ROOT, env=full, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return {name.strip(): value.strip() for name, _, value in
            (line.partition("=") for line in done.stdout.splitlines()) if name.strip()}


def test_gunicorn_opens_no_per_user_control_socket_by_default(tmp_path):
    # Its default is one path per user ($XDG_RUNTIME_DIR or ~/.gunicorn/gunicorn.ctl): a second router on the
    # host would take it over, and the first to stop would delete it.
    config = printed_config({"HOME": str(tmp_path), "XDG_RUNTIME_DIR": ""})
    assert config["control_socket_disable"] == "True"
    config = printed_config({"GUNICORN_CONTROL_SOCKET": str(tmp_path / "a.ctl")})
    assert config["control_socket_disable"] == "False" and config["control_socket"] == str(tmp_path / "a.ctl")


@pytest.mark.slow
def test_two_routers_on_one_host_each_answer_on_their_own_control_socket(s3_server, buckets, tmp_path):
    paths = [tmp_path / f"router{i}.ctl" for i in range(2)]
    env = app_env(s3_server, buckets[0]) | {"HOME": str(tmp_path), "XDG_RUNTIME_DIR": ""}
    routers = [RouterProcess(env | {"GUNICORN_CONTROL_SOCKET": str(path)}, threads=2) for path in paths]
    try:
        for router, path in zip(routers, paths, strict=True):
            router.start()
            wait_until(path.exists, what=f"{path} to appear")
        for router, path in zip(routers, paths, strict=True):
            with ControlClient(str(path), timeout=30) as client:
                assert client.send_command("show stats")["pid"] == router.process.pid
        routers[0].stop()
        with ControlClient(str(paths[1]), timeout=30) as client:  # the other's stop left this one alone
            assert client.send_command("show stats")["pid"] == routers[1].process.pid
        assert not (tmp_path / ".gunicorn").exists()  # nothing at the shared per-user default
    finally:
        for router in routers:
            router.stop()


def test_a_worker_freezes_what_the_app_loaded_out_of_the_garbage_collectors_reach():
    check = ("import gc, runpy; hooks = runpy.run_path('router/gunicorn.conf.py'); "
             "assert gc.get_freeze_count() == 0; hooks['post_worker_init'](None); "
             "print(gc.get_freeze_count()); hooks['on_exit'](None)")
    done = subprocess.run([sys.executable, "-c", check], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert int(done.stdout) > 1000
