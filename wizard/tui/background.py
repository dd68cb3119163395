"""Reading the repository off the screen's thread, without holding up the exit.

Textual's thread workers run in asyncio's default executor, whose threads are joined when the app's loop
closes: quitting while a large repository is read would wait for the scan to finish. A scan has nothing to
clean up (it only reads), so it runs in a daemon thread here, awaited by an async worker: the app can close
at once, and the thread is dropped with the process.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


async def in_thread(name: str, function: Callable[..., T], *args: Any) -> T:
    """`function(*args)` in a daemon thread named `name`; its result (or its exception) once it is done."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[T] = loop.create_future()

    def hand_over(result: Any, error: BaseException | None) -> None:
        if future.done():  # the awaiting worker was cancelled (the app closed)
            return
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(result)

    def run() -> None:
        result: Any = None
        error: BaseException | None = None
        try:
            result = function(*args)
        except BaseException as exc:  # noqa: BLE001 - handed to the awaiting worker as it is
            error = exc
        try:
            loop.call_soon_threadsafe(hand_over, result, error)
        except RuntimeError:  # the loop has closed: the app is gone, nobody waits for this any more
            pass

    threading.Thread(target=run, name=name, daemon=True).start()
    return await future
