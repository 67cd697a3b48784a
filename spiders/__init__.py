"""Generic config-driven spiders and the few site-specific ones."""
