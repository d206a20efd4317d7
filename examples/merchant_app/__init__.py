"""A small shop that takes C-Pay payments, and its tests against the emulator's pytest plugin (README, "Test your
integration")."""
