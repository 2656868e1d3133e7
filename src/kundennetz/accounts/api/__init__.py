"""The JSON API of the customer network: accounts, contacts, opportunities and the lists they refer to."""

from . import accounts, catalogues, contacts, opportunities

# (prefix, router) pairs for the NinjaAPI to mount.
ROUTERS = [
    ("/accounts", accounts.router),
    ("/contacts", contacts.router),
    ("/opportunities", opportunities.router),
    ("/", catalogues.router),
]
