"""Keep freed picture buffers in the heap between thumbnails, for a process that makes one at a time.

glibc's malloc serves a large allocation with fresh mmap() pages and unmaps them on free (above
M_MMAP_THRESHOLD: 128 KiB at start, raised on each free up to the largest block freed, but never
reaching a block of the same size, so a repeated picture is never served from the heap). Each decoded
picture then faults in every page again. Measured here (bench/results/thumbnails.md): a 50x50
thumbnail of a 1920x1200 grey+alpha PNG took 4,468 page faults and 36 ms CPU, 26 ms once the
buffers stay in the heap; a 5640x3172 progressive JPEG 17,921 faults (its coefficient buffers
are 53 MB) and 129 ms, 93 ms. libvips streams in small buffers and gains nothing from it.

`reuse_freed_memory()` sets fixed thresholds instead: blocks up to 64 MiB come from the heap, and up
to 128 MiB of freed memory stays mapped for the next picture. That memory stays resident between
invocations (bounded by TRIM_THRESHOLD; a Lambda function has 1024 MB by default). It is for the
Lambda functions, which make one thumbnail at a time; the router leaves malloc alone (each of a
threaded server's arenas would keep its own). Where malloc is not glibc's it does nothing.
"""

import ctypes
import platform

MMAP_THRESHOLD = 64 * 1024 * 1024
MMAP_THRESHOLD_FLOOR = 32 * 1024 * 1024  # older glibc refuses more than half its 64 MiB heap size
TRIM_THRESHOLD = 128 * 1024 * 1024
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # <malloc.h>


def reuse_freed_memory() -> int | None:
    """Set glibc's mmap and trim thresholds; returns the mmap threshold set, None without glibc."""
    if platform.libc_ver()[0] != "glibc":
        return None
    mallopt = ctypes.CDLL(None).mallopt
    mallopt.argtypes, mallopt.restype = (ctypes.c_int, ctypes.c_int), ctypes.c_int
    for threshold in (MMAP_THRESHOLD, MMAP_THRESHOLD_FLOOR):
        if mallopt(_M_MMAP_THRESHOLD, threshold) == 1:
            mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD)
            return threshold
    return None
