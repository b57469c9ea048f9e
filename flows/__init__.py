"""The conversations, each a readable state machine over `nlu` meanings and a `Desk` context."""
