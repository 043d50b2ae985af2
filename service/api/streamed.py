"""A file written to disk by a use case, sent in chunks and removed: exports too large to build in memory."""

from __future__ import annotations

import contextlib
import os
import weakref
from collections.abc import Iterator

from flask import Response

CHUNK = 256 * 1024


def streamed_file(path: str, mimetype: str, download_name: str) -> Response:
    """A download of the file at ``path`` (which it takes over: removed once sent, or when the response is
    dropped unsent and its generator collected)."""
    size = os.path.getsize(path)
    chunks = _chunks(path)
    weakref.finalize(chunks, _remove, path)
    return Response(
        chunks,
        mimetype=mimetype,
        headers={
            "Content-Disposition": f"attachment; filename={download_name}",
            "Content-Length": str(size),
        },
    )


def _chunks(path: str) -> Iterator[bytes]:
    with open(path, "rb") as file:
        while block := file.read(CHUNK):
            yield block


def _remove(path: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)
