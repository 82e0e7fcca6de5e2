"""A read-only, seekable file object over bytes or a memoryview, without copying the buffer.

`io.BytesIO(memoryview)` copies the whole buffer; this reader hands out only the slices asked for, so a
10 MB upload can be hashed, parsed and streamed to Blob Storage while it exists once in memory.
"""

from __future__ import annotations

import io


class MemoryReader(io.RawIOBase):
    def __init__(self, data: bytes | bytearray | memoryview) -> None:
        super().__init__()
        self._view = memoryview(data).cast("B")
        self._position = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        target = memoryview(buffer).cast("B")
        count = min(len(target), len(self._view) - self._position)
        if count <= 0:
            return 0
        target[:count] = self._view[self._position : self._position + count]
        self._position += count
        return count

    def read(self, size: int | None = -1) -> bytes:
        end = len(self._view) if size is None or size < 0 else min(len(self._view), self._position + size)
        if end <= self._position:
            return b""
        chunk = self._view[self._position : end].tobytes()
        self._position = end
        return chunk

    def readall(self) -> bytes:
        return self.read(-1)

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if whence == io.SEEK_SET:
            position = offset
        elif whence == io.SEEK_CUR:
            position = self._position + offset
        elif whence == io.SEEK_END:
            position = len(self._view) + offset
        else:
            raise ValueError(f"invalid whence {whence}")
        if position < 0:
            raise ValueError("negative seek position")
        self._position = position
        return position

    def tell(self) -> int:
        return self._position

    def __len__(self) -> int:
        return len(self._view)
