"""The store: schema, migrations, and the owner modules of the tables (see store.py)."""
