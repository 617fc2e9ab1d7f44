"""Reference servers: small stand-ins for outside systems, FOR DEVELOPMENT AND TESTS ONLY.

Each module here speaks the real protocol of a service that cannot be reached from a developer's
machine or a CI runner (the national identity provider VNeID, …) over a real socket, so that
egov's real protocol clients are exercised end to end (ARCHITECTURE.md, rule 5). They keep
their state in memory, trust their configuration and are never meant to face the internet.

Every server can be run from the command line (``python -m reference_servers.<name> --port N``)
and started in-process from tests on a free loopback port with ``start()`` / ``stop()``.
"""
