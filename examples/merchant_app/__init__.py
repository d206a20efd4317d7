"""A small shop that takes C-Pay payments, and its tests against the emulator's pytest plugin (docs/site/testing.md,
"Test your integration")."""
