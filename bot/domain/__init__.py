"""The pure core: value types and rules. No database, network, clock or environment in here."""
