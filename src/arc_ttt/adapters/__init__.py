"""Adapters: framework types in, domain types out. Heavy imports stay inside each module."""
