"""Fulfilment: which warehouse ships what (allocation), then picking, packing and labels."""
