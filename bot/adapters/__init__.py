"""Vendors behind small interfaces: each module has a Protocol named by role and a local stand-in."""
