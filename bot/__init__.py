"""The core of the booking bot: settings, the pure domain, storage, vendor adapters and the turn engine."""
