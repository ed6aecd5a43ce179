"""Mainland-China shipping addresses checked against the national administrative division list.

Pure Python reference data, no models: the public API lives in oms.geo.divisions.
"""
