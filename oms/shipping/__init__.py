"""Carriers, their contracts (rate cards per warehouse) and what a package costs to send."""
