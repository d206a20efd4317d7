"""The validating proxy (``cpay-emulator proxy``), a product of its own like ``moto_proxy``: it forwards real
traffic to a deployment and checks both directions against ``openapi.yaml``, records and reports.

It uses ``cpay_emulator.shared`` and nothing of the emulator's state (import-linter's contracts).
"""
