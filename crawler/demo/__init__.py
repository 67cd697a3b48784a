"""`presswatch demo`: a bundled offline site, a temporary config, one full cycle."""
