"""Walk a JPEG's segments: check its scans before libjpeg runs, and skip what 1/8 scale cannot use.

survey() walks the segments once, bounded by max_scans, and refuses what costs libjpeg far more
than the file's size: too many scans (each walks every block of the image again), too many
segments (Pillow keeps a Python object per APP segment), and scan scripts libjpeg reports as
JWRN_BOGUS_PROGRESSION, a warning Pillow never surfaces (jdphuff.c's checks, repeated below).

dc_scans_only(): skip the detail scans of a progressive JPEG that an 1/8-scale decode cannot use.

At 1/8 scale libjpeg computes each output pixel from a block's DC coefficient alone, yet for a
progressive JPEG it still entropy-decodes every AC scan (typically 80-95% of the bytes). Keeping
only the DC scans plus the first AC scan of each component (without which libjpeg-turbo's block
smoothing would also blur the DC) gives the same 1/8-scale pixels on ordinary camera/libjpeg
progressive files at a fraction of the cost. Anything unusual returns None and the caller decodes
the original bytes, so a malformed file never takes this path.
"""

import re
import struct
from dataclasses import dataclass

from .errors import CorruptProgressionError, TooManyScansError

SOI, EOI = b"\xff\xd8", b"\xff\xd9"
_SOF_PROGRESSIVE = 0xC2
_SOS = 0xDA
# The next marker after entropy-coded data: 0xFF not followed by a stuffed 0x00, a restart
# marker (D0-D7) or a fill byte.
_NEXT_MARKER = re.compile(rb"\xff[^\x00\xd0-\xd7\xff]")
_STANDALONE = frozenset({0x01, *range(0xD0, 0xD8)})
_SOF = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}  # frame headers (not DHT, JPG, DAC)
_PROGRESSIVE_SOF = frozenset({0xC2, 0xC6, 0xCA, 0xCE})
# Real files have a dozen segments besides their scans (APPn, DQT, SOF, a DHT per scan); an ICC
# profile adds at most 255. More than this is a flood.
MAX_OTHER_SEGMENTS = 1024


@dataclass(frozen=True)
class Layout:
    """What one walk over a JPEG's segments found."""

    scans: int
    complete: bool | None  # True: reached EOI; False: the data ends early; None: malformed, let libjpeg judge
    coefficient_bytes_per_pixel: float  # libjpeg's whole-image coefficient buffer (multi-scan files), else 0


def survey(data: bytes, max_scans: int) -> Layout | None:
    """Walk every segment up to EOI, at most max_scans scans. None if the bytes are not a JPEG.

    Raises TooManyScansError (scans or other segments over the limit) and CorruptProgressionError.
    """
    if not data.startswith(SOI):
        return None
    position, scans, others, frame, progression = 2, 0, 0, None, None
    while True:
        segment = _segment(data, position)
        if segment is None:
            complete = False if data[position:position + 1] in (b"\xff", b"") else None
            break
        marker, start, end = segment
        if marker == 0xD9:
            complete = True
            break
        if marker == _SOS:
            scans += 1
            if scans > max_scans:
                raise TooManyScansError(f"this JPEG has more than {max_scans} scans (max_scans)")
            if progression is not None:
                progression.check(data, start)
        else:
            others += 1
            if others > MAX_OTHER_SEGMENTS:
                raise TooManyScansError(f"this JPEG has more than {MAX_OTHER_SEGMENTS} segments besides its scans")
        if marker in _SOF and frame is None:
            frame = data[start + 4:end]
            progression = _Progression(frame) if marker in _PROGRESSIVE_SOF else None
        position = end
    return Layout(scans, complete, _coefficient_bytes(frame) if scans > 1 or progression else 0.0)


def _coefficient_bytes(frame: bytes | None) -> float:
    """Bytes per pixel of libjpeg's whole-image coefficient buffer: 2 per sample of every component."""
    factors = [(byte >> 4, byte & 15) for byte in frame[7:7 + 3 * frame[5]:3]] if frame and len(frame) > 5 else []
    if not factors or min(min(f) for f in factors) == 0:
        return 2.0 * 4  # no usable frame header: assume the worst (4 full-resolution components)
    h_max, v_max = max(h for h, _ in factors), max(v for _, v in factors)
    return 2.0 * sum(h * v for h, v in factors) / (h_max * v_max)


class _Progression:
    """libjpeg's start_pass_phuff_decoder checks: fatal ones and JWRN_BOGUS_PROGRESSION alike."""

    def __init__(self, frame: bytes):
        count = frame[5] if len(frame) > 5 else 0
        self.index = {frame[6 + 3 * i]: i for i in range(count) if 6 + 3 * i < len(frame)}
        self.bits = [[-1] * 64 for _ in range(count)]  # per component and coefficient: last Al, -1 = none yet

    def check(self, data: bytes, start: int) -> None:
        count = data[start + 4]
        ids = data[start + 5:start + 5 + 2 * count:2]
        header = data[start + 5 + 2 * count:start + 8 + 2 * count]
        if len(header) < 3 or any(c not in self.index for c in ids):
            return  # libjpeg refuses these itself (JERR_BAD_COMPONENT_ID, a short header)
        components = [self.index[c] for c in ids]
        ss, se, ah, al = header[0], header[1], header[2] >> 4, header[2] & 15
        if (se != 0 if ss == 0 else ss > se or se > 63 or count != 1) or (ah and al != ah - 1) or al > 13:
            raise CorruptProgressionError(f"invalid progressive scan Ss={ss} Se={se} Ah={ah} Al={al}")
        for component in components:
            bits = self.bits[component]
            if ss and bits[0] < 0:
                raise CorruptProgressionError(f"an AC scan of component {component} comes before its DC scan")
            for k in range(ss, se + 1):
                if ah != max(bits[k], 0):
                    raise CorruptProgressionError(f"scan Ss={ss} Se={se} Ah={ah} Al={al} does not follow the "
                                                  f"previous scans of coefficient {k} (libjpeg: bogus progression)")
                bits[k] = al


def dc_scans_only(data: bytes) -> bytes | None:
    """A smaller progressive JPEG with the same 1/8-scale picture, or None if not applicable."""
    if not data.startswith(SOI):
        return None
    kept, position, progressive = [SOI], 2, False
    seen: set[bytes] = set()  # component sets whose first AC scan is already kept
    while True:
        segment = _segment(data, position)
        if segment is None:
            return None  # malformed, or truncated before EOI: let the normal decoder judge it
        marker, start, end = segment
        if marker == 0xD9:
            break
        progressive |= marker == _SOF_PROGRESSIVE
        if marker != _SOS or _keep_scan(data, start, seen):
            kept.append(data[start:end])
        position = end
    return b"".join(kept) + EOI if progressive else None


def _segment(data: bytes, position: int) -> tuple[int, int, int] | None:
    """(marker, start, end) of the segment at `position`; a scan includes its entropy-coded data."""
    while data[position:position + 2] == b"\xff\xff":
        position += 1  # fill bytes before a marker
    if position + 2 > len(data) or data[position] != 0xFF:
        return None
    marker = data[position + 1]
    if marker == 0xD9:
        return marker, position, position + 2
    if marker in _STANDALONE or position + 4 > len(data):
        return None
    end = position + 2 + struct.unpack_from(">H", data, position + 2)[0]
    if end > len(data):
        return None
    if marker == _SOS:
        following = _NEXT_MARKER.search(data, end)
        if following is None:
            return None
        end = following.start()
    return marker, position, end


def _keep_scan(data: bytes, start: int, seen: set[bytes]) -> bool:
    """DC scans (Ss = 0) and, per component set, the first first-pass AC scan starting at coefficient 1."""
    count = data[start + 4]
    header = data[start + 5 + 2 * count:start + 8 + 2 * count]
    if len(header) < 3:
        return True
    components = data[start + 5:start + 5 + 2 * count:2]
    spectral_start, approximation_high = header[0], header[2] >> 4
    if spectral_start == 0:
        return True
    if spectral_start == 1 and approximation_high == 0 and components not in seen:
        seen.add(components)
        return True
    return False
