"""`thumbrouter backfill` against the local S3 server: creates what is missing, resumes, reports failures."""

import argparse
import json
import threading

import pytest

from tests.lambda_handler.helpers import image_bytes, open_image
from thumbrouter.cli import backfill
from thumbrouter.cli.outputs import env_lines


def run_backfill(*argv: str) -> int:
    parser = argparse.ArgumentParser()
    backfill.add_arguments(parser)
    return backfill.run(parser.parse_args(argv))


@pytest.fixture
def originals(s3, buckets):
    """Three photos, a thumbnail already made for one, a photo named like a thumbnail and a text file."""
    source, resized = buckets
    for key in ("a.jpg", "b photo.png", "c/ü.gif"):
        s3.put_object(Bucket=source, Key=key, Body=image_bytes({"j": "JPEG", "p": "PNG", "g": "GIF"}[key[-3]]))
    s3.put_object(Bucket=source, Key="a_50x50.jpg", Body=image_bytes())
    s3.put_object(Bucket=source, Key="notes.txt", Body=b"hello")
    s3.put_object(Bucket=resized, Key="b photo_50x50.png", Body=b"made earlier")
    return source, resized


def keys(s3, bucket):
    return sorted(o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", []))


def test_missing_thumbnails_are_created_and_existing_ones_left_alone(s3, originals, capsys):
    source, resized = originals
    assert run_backfill("--bucket", source, "--workers", "2") == 0
    assert keys(s3, resized) == ["a_50x50.jpg", "a_50x50_50x50.jpg", "b photo_50x50.png", "c/ü_50x50.gif"]
    assert s3.get_object(Bucket=resized, Key="b photo_50x50.png")["Body"].read() == b"made earlier"
    assert s3.head_object(Bucket=resized, Key="a_50x50.jpg")["ContentType"] == "image/jpeg"
    out = capsys.readouterr().out
    assert "created 3, exists 1, missing 0, skipped 1, failed 0" in out
    assert "resume with: --start-after notes.txt" in out


def test_a_dry_run_counts_what_is_missing_and_writes_nothing(s3, originals, capsys):
    source, resized = originals
    assert run_backfill("--bucket", source, "--dry-run") == 0
    assert keys(s3, resized) == ["b photo_50x50.png"]
    assert "dry run: created 0, exists 1, missing 3, skipped 1, failed 0" in capsys.readouterr().out


def test_a_bad_image_is_reported_the_others_are_created_and_the_exit_code_says_so(s3, buckets, capsys):
    source, resized = buckets
    s3.put_object(Bucket=source, Key="0-bad.jpg", Body=b"not an image")
    s3.put_object(Bucket=source, Key="1-good.jpg", Body=image_bytes())
    assert run_backfill("--bucket", source) == 1
    assert keys(s3, resized) == ["1-good_50x50.jpg"]
    captured = capsys.readouterr()
    assert "created 1, exists 0, missing 0, skipped 0, failed 1" in captured.out
    assert "failed: 0-bad.jpg: NotAnImageError" in captured.err


def test_the_state_file_resumes_after_the_last_finished_key(s3, buckets, tmp_path, capsys):
    source, resized = buckets
    for name in "abcd":
        s3.put_object(Bucket=source, Key=f"{name}.jpg", Body=image_bytes())
    state = tmp_path / "state.json"
    assert run_backfill("--bucket", source, "--prefix", "", "--start-after", "a.jpg", "--state-file", str(state)) == 0
    assert keys(s3, resized) == ["b_50x50.jpg", "c_50x50.jpg", "d_50x50.jpg"]
    saved = json.loads(state.read_text())
    assert (saved["last_key"], saved["counts"]) == ("d.jpg", {"created": 3})
    s3.put_object(Bucket=source, Key="e.jpg", Body=image_bytes())
    assert run_backfill("--bucket", source, "--state-file", str(state)) == 0
    assert "created 1, exists 0" in capsys.readouterr().out  # only e.jpg: the state file said d.jpg was done


def test_the_resume_point_only_passes_keys_when_all_earlier_ones_are_done():
    point = backfill.ResumePoint("start")
    seqs = [point.add(key) for key in "abcde"]
    point.finish(seqs[2])
    point.finish(seqs[3])
    assert point.key == "start"
    point.finish(seqs[0])
    assert point.key == "a"
    point.finish(seqs[1])
    assert (point.key, point.backlog) == ("d", 1)


def test_the_listing_is_consumed_only_a_bounded_way_ahead_of_the_workers(s3, buckets, monkeypatch):
    source, _ = buckets
    for i in range(30):
        s3.put_object(Bucket=source, Key=f"k{i:02}.jpg", Body=b"x")
    lock, listed, finished, ahead = threading.Lock(), [0], [0], []
    original_listing = backfill.list_originals

    def counting_listing(*args):
        for record in original_listing(*args):
            with lock:
                listed[0] += 1
                ahead.append(listed[0] - finished[0])
            yield record

    def fake_backfill_one(*args):
        with lock:
            finished[0] += 1
        return "exists", ""

    monkeypatch.setattr(backfill, "list_originals", counting_listing)
    monkeypatch.setattr(backfill, "backfill_one", fake_backfill_one)
    assert run_backfill("--bucket", source, "--workers", "3") == 0
    assert listed[0] == 30 and max(ahead) <= 2 * 3 + 1


def test_a_destination_equal_to_the_source_is_refused_before_listing(buckets, capsys):
    source, _ = buckets
    assert run_backfill("--bucket", source, "--dest", source) == 2
    assert "equals the source bucket" in capsys.readouterr().err


def test_sizes_a_long_key_cannot_have_are_never_looked_up_and_the_others_are_made(s3, buckets, monkeypatch, capsys):
    source, resized = buckets
    stem = "k" * (1024 - len("_1440x1440.jpg") + 1)  # 50x50 fits, 1440x1440 is one byte over
    s3.put_object(Bucket=source, Key=f"{stem}.jpg", Body=image_bytes())
    s3.put_object(Bucket=source, Key=f"{'x' * 1020}.jpg", Body=image_bytes())  # no size fits
    heads = []
    real_client = backfill.new_s3_client

    def recording_client(*args, **kwargs):
        client = real_client(*args, **kwargs)
        client.meta.events.register("before-parameter-build.s3.HeadObject",
                                    lambda params, **_: heads.append(params["Key"]))
        return client

    monkeypatch.setattr(backfill, "new_s3_client", recording_client)
    monkeypatch.setenv("THUMBNAIL_SIZES", "50x50,1440x1440")
    assert run_backfill("--bucket", source) == 0
    assert keys(s3, resized) == [f"{stem}_50x50.jpg"]
    assert heads and all(len(key.encode()) <= 1024 for key in heads)
    assert "created 1, exists 0, missing 0, skipped 1, failed 0" in capsys.readouterr().out


def versions(s3, bucket) -> dict[str, int]:
    """How many times each key was written (the thumbnail bucket has versioning on)."""
    listed = s3.list_object_versions(Bucket=bucket).get("Versions", [])
    return {key: sum(v["Key"] == key for v in listed) for key in {v["Key"] for v in listed}}


@pytest.fixture
def outdated(s3, buckets, monkeypatch):
    """a.jpg replaced after its thumbnail was made, b.jpg's thumbnail made at JPEG_QUALITY=60, c.jpg current."""
    source, resized = buckets
    s3.put_bucket_versioning(Bucket=resized, VersioningConfiguration={"Status": "Enabled"})
    for name in "abc":
        s3.put_object(Bucket=source, Key=f"{name}.jpg", Body=image_bytes())
    with monkeypatch.context() as patched:
        patched.setenv("JPEG_QUALITY", "60")
        assert run_backfill("--bucket", source, "--prefix", "b") == 0
    assert run_backfill("--bucket", source) == 0
    s3.put_object(Bucket=source, Key="a.jpg", Body=image_bytes(size=(200, 320)))  # new bytes, new ETag
    assert versions(s3, resized) == {"a_50x50.jpg": 1, "b_50x50.jpg": 1, "c_50x50.jpg": 1}
    return source, resized


def test_without_stale_an_existing_thumbnail_counts_as_done_whatever_it_was_made_from(s3, outdated, capsys):
    source, resized = outdated
    capsys.readouterr()
    assert run_backfill("--bucket", source) == 0
    assert "created 0, exists 3, missing 0, skipped 0, failed 0\n" in capsys.readouterr().out
    assert versions(s3, resized) == {"a_50x50.jpg": 1, "b_50x50.jpg": 1, "c_50x50.jpg": 1}


def test_stale_re_renders_thumbnails_of_a_changed_original_or_other_settings_and_leaves_current_ones(
        s3, outdated, capsys):
    source, resized = outdated
    capsys.readouterr()
    assert run_backfill("--bucket", source, "--stale", "--dry-run") == 0
    assert "dry run: created 0, exists 1, missing 0, skipped 0, failed 0, stale 2" in capsys.readouterr().out
    assert versions(s3, resized) == {"a_50x50.jpg": 1, "b_50x50.jpg": 1, "c_50x50.jpg": 1}
    assert run_backfill("--bucket", source, "--stale") == 0
    assert "created 0, exists 1, missing 0, skipped 0, failed 0, stale 2" in capsys.readouterr().out
    assert versions(s3, resized) == {"a_50x50.jpg": 2, "b_50x50.jpg": 2, "c_50x50.jpg": 1}
    etag = s3.head_object(Bucket=source, Key="a.jpg")["ETag"].strip('"')
    assert s3.head_object(Bucket=resized, Key="a_50x50.jpg")["Metadata"]["source-etag"] == etag
    assert open_image(s3.get_object(Bucket=resized, Key="a_50x50.jpg")["Body"].read()).size == (31, 50)
    assert run_backfill("--bucket", source, "--stale") == 0  # now current: a second run writes nothing
    assert "created 0, exists 3, missing 0, skipped 0, failed 0, stale 0" in capsys.readouterr().out
    assert versions(s3, resized) == {"a_50x50.jpg": 2, "b_50x50.jpg": 2, "c_50x50.jpg": 1}


def test_stale_still_creates_missing_sizes_and_counts_them_as_created(s3, outdated, monkeypatch, capsys):
    source, resized = outdated
    monkeypatch.setenv("THUMBNAIL_SIZES", "50x50,20x20")
    capsys.readouterr()
    assert run_backfill("--bucket", source, "--stale") == 0
    assert "created 3, exists 0, missing 0, skipped 0, failed 0, stale 0" in capsys.readouterr().out
    assert versions(s3, resized) == {"a_50x50.jpg": 2, "b_50x50.jpg": 2, "c_50x50.jpg": 1,
                                     "a_20x20.jpg": 1, "b_20x20.jpg": 1, "c_20x20.jpg": 1}


@pytest.fixture
def router_env_file(s3, buckets, tmp_path):
    """The router's environment file as `deploy ENV output --env-format` writes it: its own thumbnail bucket,
    two sizes, cover, plus router-only lines and comments; returns (source, thumbs, path)."""
    source, _ = buckets
    thumbs = f"{source}-thumbs"
    s3.create_bucket(Bucket=thumbs)
    outputs = {"source_bucket": {"value": source}, "region": {"value": "us-east-1"},
               "dead_letter_queue_url": {"value": "https://sqs.us-east-1.amazonaws.com/1/dlq"},
               "thumbnail_spec": {"value": {"dest_bucket": thumbs, "sizes": ["40x40", "20x10"], "mode": "cover",
                                            "jpeg_quality": 70, "cache_control": "public, max-age=60"}}}
    path = tmp_path / "router.env"
    path.write_text("\n".join([*env_lines(outputs), "THUMBROUTER_DOMESTIC_COUNTRIES=", ""]))
    for key in ("a.jpg", "b.png"):
        s3.put_object(Bucket=source, Key=key, Body=image_bytes({"j": "JPEG", "p": "PNG"}[key[-3]], size=(80, 60)))
    return source, thumbs, path


def test_the_routers_environment_file_is_all_backfill_needs(s3, router_env_file, capsys):
    source, thumbs, path = router_env_file
    assert run_backfill("--env-file", str(path)) == 0
    assert keys(s3, thumbs) == ["a_20x10.jpg", "a_40x40.jpg", "b_20x10.png", "b_40x40.png"]
    assert keys(s3, f"{source}resized") == []
    made = s3.get_object(Bucket=thumbs, Key="a_40x40.jpg")
    assert made["CacheControl"] == "public, max-age=60"
    assert open_image(made["Body"].read()).size == (40, 40)  # cover: the box filled, not fitted (40x30)
    assert "created 2, exists 0, missing 0, skipped 0, failed 0" in capsys.readouterr().out


def test_flags_win_over_the_environment_file(s3, router_env_file, capsys):
    source, thumbs, path = router_env_file
    assert run_backfill("--env-file", str(path), "--bucket", source, "--sizes", "30x30",
                        "--dest", f"{source}resized") == 0
    assert keys(s3, f"{source}resized") == ["a_30x30.jpg", "b_30x30.png"] and keys(s3, thumbs) == []


def test_an_old_name_disagreeing_with_the_environment_file_is_refused_naming_both(router_env_file, monkeypatch,
                                                                                  capsys):
    _, _, path = router_env_file
    monkeypatch.setenv("THUMBNAIL_SIZES", "50x50")
    assert run_backfill("--env-file", str(path)) == 2
    both = "THUMBNAIL_SIZES='50x50' and THUMBROUTER_THUMBNAIL_SIZES='40x40,20x10' are both set"
    assert both in capsys.readouterr().err


def test_without_a_bucket_flag_or_variable_backfill_stops_before_listing(buckets, capsys):
    assert run_backfill() == 2
    assert "--bucket or THUMBROUTER_S3_BUCKET" in capsys.readouterr().err


@pytest.mark.parametrize("flag, value, message", [
    ("--sizes", "50", "--sizes must be a comma list"), ("--dest", "Not_A_Bucket", "--dest must be an S3 bucket name"),
])
def test_a_bad_flag_is_named(buckets, capsys, flag, value, message):
    assert run_backfill("--bucket", buckets[0], flag, value) == 2
    assert message in capsys.readouterr().err
