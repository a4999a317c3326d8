"""Shipped evaluation schemes (考评方案), versioned YAML."""
