"""The sandbox WorkBuoy server: a faithful, fast stand-in for the portal and API.

The real portal is unreachable from development and CI machines, so the demo and
every test talk to this server instead. It follows ``/work/shared/api-contract.md``
and documents the places where the contract is silent in ``/openapi.json`` and in
``docs/sandbox.md``. Run it with ``python -m workbuoy.sandbox``.
"""
