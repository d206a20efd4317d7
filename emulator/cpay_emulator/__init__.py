"""A stateful local C-Pay server for development and conformance tests."""
