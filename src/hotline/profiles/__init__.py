"""Shipped city profiles (YAML)."""
