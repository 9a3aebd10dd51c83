"""The Qiniu image style that gives the same picture as the S3 thumbnails: derived here, and only here.

The router links `<key><separator><name>` (`-thumb50`); Kodo runs the style's processing (an imageMogr2
string) on the original. The processing is derived from what the Lambda does (`ThumbnailSpec` mode and
JPEG quality, the router's linked size), in imagecore's step order: orient by EXIF, resize, strip
metadata, encode. Qiniu's imageMogr2 semantics (developer.qiniu.com/dora/1270):

- `thumbnail/<W>x<H>>`: fit inside W x H, aspect kept, only ever shrinking (imagecore's fit never enlarges;
  plain `<W>x<H>` would enlarge small images).
- `thumbnail/!<W>x<H>r` then `gravity/Center/crop/<W>x<H>`: scale until the box is covered (enlarging
  too, as imagecore's cover does), then cut the centre.
- `strip` drops EXIF, GPS, XMP and comments; `quality/<Q>` is the JPEG/WebP quality.

No `format/`: like the Lambda, which writes the format the key's extension names, the style keeps the
original's format. Pure string work: no SDK, no network.
"""

from dataclasses import dataclass

STYLE_SEPARATORS = "-_!/."  # the separators Kodo accepts between a key and a style name


def style_processing(size: str, mode: str, quality: int) -> str:
    """imageMogr2 processing for a `WxH` box in `fit` or `cover` mode at JPEG `quality` (1..100).

    Raises ValueError for a malformed size, an unknown mode or a quality out of range.
    """
    width, _, height = size.partition("x")
    if not (width.isdigit() and height.isdigit() and int(width) > 0 and int(height) > 0):
        raise ValueError(f"size must be WxH with positive whole numbers, got {size!r}")
    if not 1 <= quality <= 100:
        raise ValueError(f"quality must be 1..100, got {quality}")
    box = f"{int(width)}x{int(height)}"
    resize = {"fit": f"thumbnail/{box}>", "cover": f"thumbnail/!{box}r/gravity/Center/crop/{box}"}.get(mode)
    if resize is None:
        raise ValueError(f"mode must be fit or cover, got {mode!r}")
    return f"imageMogr2/auto-orient/{resize}/strip/quality/{quality}"


@dataclass(frozen=True)
class QiniuStyle:
    """A bucket's image style: `name` reached with `separator` (`<key>-thumb50`), running `processing`."""

    name: str
    separator: str
    processing: str

    @classmethod
    def from_settings(cls, settings) -> "QiniuStyle":
        """The style the router links (`THUMBROUTER_QINIU_STYLE`) with the Lambda's mode, quality and size.

        Raises ValueError when THUMBROUTER_QINIU_STYLE is a processing query rather than a named style.
        """
        suffix = settings.qiniu_style
        if suffix[:1] not in STYLE_SEPARATORS or len(suffix) < 2:
            raise ValueError(f"THUMBROUTER_QINIU_STYLE={suffix!r} is not a named style like -thumb50: "
                             "nothing to create in the bucket")
        spec = settings.thumbnail_spec
        return cls(name=suffix[1:], separator=suffix[0],
                   processing=style_processing(settings.thumbnail_size, spec.mode, spec.jpeg_quality))
