"""The coded picture size of an HEVC (`hvcC` SPS) or AV1 (sequence header OBU) image item, and its sample format.

The container's `ispe` is only a claim: libde265 and dav1d allocate the picture the bitstream
codes. These readers parse the few header fields before the size, nothing more. A header they
cannot read gives None (the decoder then judges the stream; its errors are typed anyway).
"""

from .errors import DecodeError

_HEVC_SPS = 33
_CHROMAS = ("400", "420", "422", "444")  # by chroma_format_idc
# Encoders write 3-4 parameter sets (VPS, SPS, PPS, an SEI); every grid tile's hvcC is read, so a
# padded one would cost the scan 255 x 65,535 steps per tile.
MAX_PARAMETER_SETS = 64
# An AV1 item or configOBUs starts with its sequence header (after a temporal delimiter at most); the
# same bound keeps an av1C of 100,000 padding OBUs, shared by every tile, from costing a scan per tile.
MAX_OBUS = 64


class _Bits:
    def __init__(self, data: bytes):
        self.data, self.position = data, 0

    def bit(self) -> int:
        byte = self.position >> 3
        if byte >= len(self.data):
            raise EOFError
        self.position += 1
        return (self.data[byte] >> (7 - ((self.position - 1) & 7))) & 1

    def bits(self, count: int) -> int:
        value = 0
        for _ in range(count):
            value = (value << 1) | self.bit()
        return value

    def exp_golomb(self) -> int:
        zeros = 0
        while not self.bit():
            zeros += 1
            if zeros > 31:
                raise EOFError
        return (1 << zeros) - 1 + self.bits(zeros)


def hevc_size(hvcc: bytes) -> tuple[int, int] | None:
    """Width and height (after the conformance window) of the first SPS in an `hvcC` body, or None.

    Raises DecodeError when the SPS comes after more than MAX_PARAMETER_SETS other NAL units.
    """
    header = _hevc_header(hvcc)
    return header[:2] if header else None


def _hevc_header(hvcc: bytes) -> tuple[int, int, int, int] | None:
    """Width, height, chroma_format_idc and the larger bit depth of the first SPS, or None."""
    sps = _hevc_sps(hvcc)
    if sps is None:
        return None
    try:
        return _parse_hevc_sps(_Bits(_unescape(sps[2:])))
    except EOFError:
        return None


def _hevc_sps(hvcc: bytes) -> bytes | None:
    if len(hvcc) < 23:
        return None
    position, scanned = 23, 0
    for _ in range(hvcc[22]):
        if position + 3 > len(hvcc):
            return None
        kind, count = hvcc[position] & 0x3F, int.from_bytes(hvcc[position + 1:position + 3], "big")
        position += 3
        if position + 2 * count > len(hvcc):
            return None  # not even the length fields fit: libheif refuses this hvcC
        scanned += count
        if scanned > MAX_PARAMETER_SETS and kind != _HEVC_SPS:
            raise DecodeError(f"the hvcC of this HEIF lists more than {MAX_PARAMETER_SETS} parameter sets")
        for _ in range(count):
            length = int.from_bytes(hvcc[position:position + 2], "big")
            if kind == _HEVC_SPS:
                return hvcc[position + 2:position + 2 + length]
            position += 2 + length
    return None


def _unescape(nal: bytes) -> bytes:
    """Remove the emulation-prevention bytes (00 00 03 -> 00 00)."""
    return nal.replace(b"\x00\x00\x03", b"\x00\x00")


def _parse_hevc_sps(bits: _Bits) -> tuple[int, int, int, int]:
    bits.bits(4)  # sps_video_parameter_set_id
    sub_layers = bits.bits(3)
    bits.bits(1)
    bits.bits(96)  # general profile, tier and level
    present = [(bits.bit(), bits.bit()) for _ in range(sub_layers)]
    if sub_layers:
        bits.bits(2 * (8 - sub_layers))
    for profile, level in present:
        bits.bits(88 * profile + 8 * level)
    bits.exp_golomb()  # sps_seq_parameter_set_id
    chroma = bits.exp_golomb()
    if chroma == 3:
        bits.bit()
    width, height = bits.exp_golomb(), bits.exp_golomb()
    if bits.bit():  # conformance window, in chroma units
        unit_x, unit_y = (2 if chroma in (1, 2) else 1), (2 if chroma == 1 else 1)
        left, right, top, bottom = (bits.exp_golomb() for _ in range(4))
        width, height = width - unit_x * (left + right), height - unit_y * (top + bottom)
    depth = 8 + max(bits.exp_golomb(), bits.exp_golomb())  # bit_depth_luma_minus8, bit_depth_chroma_minus8
    return width, height, chroma, depth


def sample_format(kind: bytes, config: bytes | None, pixi: bytes | None) -> tuple[int, str]:
    """Bits per sample and chroma ("400", "420", "422", "444") of an hvc1/av01 item from its hvcC or av1C
    and `pixi` (the most any of them says); 8-bit 4:2:0 when they say nothing."""
    depth, chroma = 8, "420"
    if pixi and len(pixi) > 5:
        depth = max(pixi[5:5 + pixi[4]], default=8)
    if kind == b"hvc1" and config and len(config) > 18:
        chroma = _CHROMAS[config[16] & 3]
        depth = max(depth, 8 + (config[17] & 7), 8 + (config[18] & 7))
        sps = _hevc_header(config)  # libde265 decodes what the SPS says, whatever the hvcC header claims
        if sps and sps[2] < len(_CHROMAS):
            chroma, depth = max(chroma, _CHROMAS[sps[2]], key=_CHROMAS.index), max(depth, sps[3])
    elif kind == b"av01" and config and len(config) > 2:
        flags = config[2]
        depth = max(depth, 12 if flags & 0x60 == 0x60 else 10 if flags & 0x40 else 8)
        chroma = "400" if flags & 0x10 else {0x0C: "420", 0x08: "422", 0x00: "444"}.get(flags & 0x0C, "444")
    return depth, chroma


def av1_size(stream: bytes) -> tuple[int, int] | None:
    """max_frame_width/height of the first sequence header OBU in `stream` (av1C configOBUs or item data).

    Raises DecodeError when more than MAX_OBUS other OBUs come before it.
    """
    position, scanned = 0, 0
    while position < len(stream):
        scanned += 1
        if scanned > MAX_OBUS:
            raise DecodeError(f"this AVIF has more than {MAX_OBUS} OBUs before its sequence header")
        header = stream[position]
        kind, has_extension, has_size = (header >> 3) & 15, (header >> 2) & 1, (header >> 1) & 1
        position += 1 + has_extension
        if not has_size:
            return _sequence_size(stream[position:]) if kind == 1 else None
        length, position = _leb128(stream, position)
        if kind == 1:
            return _sequence_size(stream[position:position + length])
        position += length
    return None


def _leb128(data: bytes, position: int) -> tuple[int, int]:
    value = 0
    for index in range(8):
        if position >= len(data):
            return 0, len(data)
        value |= (data[position] & 0x7F) << (7 * index)
        position += 1
        if not data[position - 1] & 0x80:
            break
    return value, position


def _sequence_size(header: bytes) -> tuple[int, int] | None:
    try:
        return _parse_sequence_header(_Bits(header))
    except EOFError:
        return None


def _parse_sequence_header(bits: _Bits) -> tuple[int, int]:
    bits.bits(3)  # seq_profile
    bits.bit()  # still_picture
    if bits.bit():  # reduced_still_picture_header
        bits.bits(5)
    else:
        _skip_operating_points(bits)
    width_bits, height_bits = bits.bits(4) + 1, bits.bits(4) + 1
    return bits.bits(width_bits) + 1, bits.bits(height_bits) + 1


def _skip_operating_points(bits: _Bits) -> None:
    decoder_model, delay_length = False, 0
    if bits.bit():  # timing_info_present_flag
        bits.bits(64)
        if bits.bit():  # equal_picture_interval: num_ticks_per_picture_minus_1 (uvlc)
            _uvlc(bits)
        decoder_model = bool(bits.bit())
        if decoder_model:
            delay_length = bits.bits(5) + 1
            bits.bits(32 + 5 + 5)
    initial_display_delay = bits.bit()
    for _ in range(bits.bits(5) + 1):
        bits.bits(12)
        if bits.bits(5) > 7:
            bits.bit()  # seq_tier
        if decoder_model and bits.bit():
            bits.bits(2 * delay_length + 1)
        if initial_display_delay and bits.bit():
            bits.bits(4)


def _uvlc(bits: _Bits) -> None:
    zeros = 0
    while not bits.bit():
        zeros += 1
        if zeros >= 32:
            return
    bits.bits(zeros)
