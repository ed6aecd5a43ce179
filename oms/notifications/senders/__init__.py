"""The adapter boundary to the outside world: one module per way of reaching a buyer.

`sender_for(medium)` returns the configured sender, or the logging one when nothing is
configured for that medium (the embedded default): such messages end as "logged".
"""

from __future__ import annotations

from oms.notifications.senders.base import Delivered, Outgoing, Sender, SendFailed, sender_for

__all__ = ["Delivered", "Outgoing", "SendFailed", "Sender", "sender_for"]
