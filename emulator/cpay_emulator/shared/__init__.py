"""What both products of this package use: the spec's compiled validators, reading the wire and writing the
envelope, the outcomes and their codes, the code books, the HTTP server's settings, and what never leaves.

Nothing here knows the emulator's state or the proxy: both stand on it (import-linter's contracts).
"""
