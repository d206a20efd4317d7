"""The emulator's domain, in moto's manner (``moto/<service>/models``): state and rules, their own SQL, no HTTP.

Each backend owns its tables (``merchants``, ``rates``, ``ledger``, ``orders``, ``outbox``, ``lifecycle``,
``payins``, ``payouts``) over one ``store``; ``service.Emulator`` composes them for the surfaces; ``views`` and
``control_views`` write every wire shape.
"""
