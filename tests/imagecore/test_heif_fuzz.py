"""Seeded mutations and truncations of small HEIC and AVIF files give only typed outcomes.

Byte flips, truncations, extreme values (0, 1, 0xFFFF, 0xFFFFFFFF...) in the fields after known boxes
(counts, sizes, offsets, lengths) and runs of the item table repeated; the seeds include grids, crops,
alpha planes (also behind an overlay) and metadata items.

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
             hostile_heif.sequence(3), hostile_heif.big_alpha("HEIF", 1), hostile_heif.cropped("HEIF", 1, (64, 64)),
             hostile_heif.repeated_metadata("HEIF", 2, 100), hostile_heif.big_alpha("HEIF", 1, shown_as=b"iovl")]
    imagecore.make_thumbnail(seeds[0]), imagecore.make_thumbnail(seeds[1])  # warm up: plugins, encoders
    used = int(open("/proc/self/statm").read().split()[0]) * resource.getpagesize()
    resource.setrlimit(resource.RLIMIT_AS, (used + 400 * 2**20, resource.getrlimit(resource.RLIMIT_AS)[1]))
    resource.setrlimit(resource.RLIMIT_CPU, (120, 120))  # a case that spins ends the run: the next index is missing

    FIELDS = (b"ispe", b"pixi", b"hvcC", b"av1C", b"iloc", b"iinf", b"iref", b"ipma", b"pitm", b"idat", b"stsz")

    def mutate(rng, data):
        data = bytearray(data)
        header = data.index(b"mdat") if b"mdat" in data else len(data)  # the item table: where the walker reads
        kind = rng.random()
        if kind < 0.2:
            return bytes(data[:rng.randrange(8, len(data))])
        boxes = [at for name in FIELDS for at in range(header) if data.startswith(name, at)]
        if kind < 0.4 and boxes:  # a count, size, offset or length near a known box set to an extreme
            at = rng.choice(boxes) + rng.randrange(0, 24)
            data[at:at + 4] = rng.choice((0, 1, 0xFFFF, 0x10000, 0x7FFFFFFF, 0xFFFFFFFF)).to_bytes(4, "big")
            return bytes(data)
        if kind < 0.5:  # a run of the header repeated (duplicated boxes, references, associations)
            start = rng.randrange(0, header)
            end = min(header, start + rng.randrange(8, 200))
            return bytes(data[:end] + data[start:end] * rng.randint(1, 50) + data[end:])
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
