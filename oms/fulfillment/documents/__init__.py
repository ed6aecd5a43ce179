"""Printed documents of the warehouse: pick lists (A4) and shipping labels (100 × 150 mm)."""
