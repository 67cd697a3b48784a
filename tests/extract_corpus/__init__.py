"""Checks of the shipped source configs against saved real-world pages."""
