"""Helpers shared by the tests (imported by them; never a test module imported by another)."""
