"""Fuzzy text matching (rapidfuzz): quote lookup, later re-anchoring."""
