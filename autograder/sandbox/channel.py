"""The two pipes between the grader and the learner's process: one JSON message per line.

The grader made both pipes; the learner's process gets one end of each as a file descriptor, so
nothing of the conversation lies in a file it (or a file beside the notebook) could write or read
ahead. Everything the learner's side sends is hostile once learner code has run: a message is
read with a size cap, must be a JSON object, and the grader checks it against what it asked for
(:mod:`autograder.sandbox.runner`).
"""
from __future__ import annotations

import json
import os
import select
import time

__all__ = ["Channel", "ChannelError", "MAX_MESSAGE"]

MAX_MESSAGE = 96 * 1024 * 1024  # one message's bytes: a 64 MB array in base64 with room to spare


class ChannelError(Exception):
    """The other side sent something that is not a message (too long, not JSON, not an object),
    or the pipe broke; the message says which."""


class Channel:
    """Messages over two file descriptors: ``send`` on ``out_fd``, ``receive`` from ``in_fd``."""

    def __init__(self, in_fd: int | None, out_fd: int | None, max_message: int = MAX_MESSAGE):
        self.in_fd, self.out_fd, self.max_message = in_fd, out_fd, max_message
        self._buffer = bytearray()

    def send(self, message: dict) -> None:
        data = (json.dumps(message, separators=(",", ":")) + "\n").encode()
        view = memoryview(data)
        while view:
            try:
                written = os.write(self.out_fd, view)
            except BrokenPipeError as exc:
                raise ChannelError("the other side closed its end of the pipe") from exc
            view = view[written:]

    def receive(self, timeout: float | None = None) -> dict | None:
        """The next message; ``None`` when ``timeout`` seconds pass first. ``ChannelError`` at
        the end of the pipe or for anything that is not one message."""
        deadline = None if timeout is None else time.monotonic() + max(0.0, timeout)
        while True:
            end = self._buffer.find(b"\n")
            if end >= 0:
                line = bytes(self._buffer[:end])
                del self._buffer[:end + 1]
                return _decode(line)
            if len(self._buffer) > self.max_message:
                raise ChannelError(f"a message longer than {self.max_message} bytes")
            wait = None if deadline is None else max(0.0, deadline - time.monotonic())
            ready, _, _ = select.select([self.in_fd], [], [], wait)
            if not ready:
                return None
            chunk = os.read(self.in_fd, 1 << 20)
            if not chunk:
                raise ChannelError("the other side closed its end of the pipe")
            self._buffer += chunk

    def close(self) -> None:
        for fd in {self.in_fd, self.out_fd} - {None}:
            try:
                os.close(fd)
            except OSError:
                pass
        self.in_fd = self.out_fd = None


def _decode(line: bytes) -> dict:
    try:
        message = json.loads(line)
    except (ValueError, RecursionError) as exc:
        raise ChannelError(f"a message that is not JSON ({type(exc).__name__})") from None
    if not isinstance(message, dict):
        raise ChannelError(f"a message that is not a JSON object but {type(message).__name__}")
    return message
