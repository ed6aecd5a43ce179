"""Channel adapters: the boundary marketplace connectors plug into.

An adapter turns what a platform sends (its own field names, codes and money
formats) into the standard intake payload (`POST /api/v1/orders` body). Platform
SKU codes stay as sent; `channels.selectors.resolve_skus` maps them to our SKUs
through the channel's SKU mapping. Validation, dedup and storage are the same for
every route, so a connector only has to translate.
"""

from oms.channels.adapters.base import ChannelAdapter, StandardAdapter, UnknownAdapter, get_adapter, register

__all__ = ["ChannelAdapter", "StandardAdapter", "UnknownAdapter", "get_adapter", "register"]
