"""The welfare pages, one module per part: plans, gifts, claims, campaigns, units."""
