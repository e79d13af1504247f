"""What the sync client takes from the standard library: its sleep and its semaphore.

The counterpart of _async_backend.py (see there); a semaphore also bounds the requests that
threads sharing one RunningHub send at once.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TypeAlias

Sleep: TypeAlias = Callable[[float], None]
sleep: Sleep = time.sleep
Semaphore = threading.Semaphore
