"""The LINE bot: its webhook (``webhook.bp``), replies, sender and seen events.

Nothing here is imported unless LINE is set up, but ``events``, which the
sweep uses to forget old event ids and which needs no LINE SDK.
"""
