"""Genesis."""
