"""Seeded mutations and truncations of small HEIC and AVIF files give only typed outcomes.

One subprocess runs every case with an address-space and a CPU limit (a case that allocates or spins
without bound fails there, not in the test run) and prints one outcome a case; a crash leaves cases
unprinted, so the first missing index names the case.
"""

import subprocess
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SEED = 20261207
CASES = 320

_SCRIPT = textwrap.dedent("""
    import random, resource, sys
    from tests.support import hostile_heif, images
    from thumbrouter import imagecore

    seeds = [images.heic_bytes(images.gradient((64, 48))), images.avif_bytes(images.gradient((64, 48))),
             images.heic_bytes(images.half_transparent((64, 64))), images.avif_bytes(images.half_transparent((64, 64))),
             hostile_heif.honest_grid("HEIF", 1, 2), hostile_heif.honest_grid("AVIF", 2, 1),
             hostile_heif.sequence(3)]
    imagecore.make_thumbnail(seeds[0]), imagecore.make_thumbnail(seeds[1])  # warm up: plugins, encoders
    used = int(open("/proc/self/statm").read().split()[0]) * resource.getpagesize()
    resource.setrlimit(resource.RLIMIT_AS, (used + 400 * 2**20, resource.getrlimit(resource.RLIMIT_AS)[1]))
    resource.setrlimit(resource.RLIMIT_CPU, (120, 120))  # a case that spins ends the run: the next index is missing

    def mutate(rng, data):
        data = bytearray(data)
        header = data.index(b"mdat") if b"mdat" in data else len(data)  # the item table: where the walker reads
        kind = rng.random()
        if kind < 0.2:
            return bytes(data[:rng.randrange(8, len(data))])
        for _ in range(rng.randint(1, 6)):
            at = rng.randrange(0, header if rng.random() < 0.85 else len(data))
            data[at] = rng.choice((0, 1, 0x7F, 0x80, 0xFF, rng.randrange(256)))
        return bytes(data)

    rng = random.Random(int(sys.argv[1]))
    for index in range(int(sys.argv[2])):
        data = mutate(rng, seeds[index % len(seeds)])
        try:
            imagecore.make_thumbnail(data, (32, 32))
            outcome = "thumbnail"
        except imagecore.ThumbnailError as exc:
            outcome = type(exc).__name__
        except Exception as exc:
            outcome = f"UNTYPED {type(exc).__name__}: {exc}"
        print(f"{index}={outcome}", flush=True)
""")


def test_mutated_and_truncated_heic_and_avif_files_give_only_typed_outcomes():
    done = subprocess.run([sys.executable, "-c", _SCRIPT, str(SEED), str(CASES)], cwd=REPO, capture_output=True,
                          text=True, timeout=300)
    outcomes = dict(line.split("=", 1) for line in done.stdout.splitlines())
    assert len(outcomes) == CASES, f"crashed after {len(outcomes)} cases: {done.stderr[-2000:]}"
    untyped = {index: outcome for index, outcome in outcomes.items() if outcome.startswith("UNTYPED")}
    assert not untyped
    kinds = set(outcomes.values())
    assert "thumbnail" in kinds and "DecodeError" in kinds  # the mutations reach both sides
