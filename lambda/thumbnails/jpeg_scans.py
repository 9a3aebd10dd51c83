"""Skip the detail scans of a progressive JPEG that an 1/8-scale decode cannot use.

At 1/8 scale libjpeg computes each output pixel from a block's DC coefficient alone, yet for a
progressive JPEG it still entropy-decodes every AC scan (typically 80-95% of the bytes). Keeping
only the DC scans plus the first AC scan of each component (without which libjpeg-turbo's block
smoothing would also blur the DC) gives the same 1/8-scale pixels on ordinary camera/libjpeg
progressive files at a fraction of the cost. Anything unusual returns None and the caller decodes
the original bytes, so a malformed file never takes this path.
"""

import re
import struct

SOI, EOI = b"\xff\xd8", b"\xff\xd9"
_SOF_PROGRESSIVE = 0xC2
_SOS = 0xDA
# The next marker after entropy-coded data: 0xFF not followed by a stuffed 0x00, a restart
# marker (D0-D7) or a fill byte.
_NEXT_MARKER = re.compile(rb"\xff[^\x00\xd0-\xd7\xff]")
_STANDALONE = frozenset({0x01, *range(0xD0, 0xD8)})


def dc_scans_only(data: bytes) -> bytes | None:
    """A smaller progressive JPEG with the same 1/8-scale picture, or None if not applicable."""
    if not data.startswith(SOI):
        return None
    kept, position, progressive, seen = [SOI], 2, False, set()
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


def _keep_scan(data: bytes, start: int, seen: set) -> bool:
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
