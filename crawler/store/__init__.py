"""The store: schema, migrations, items, runs and the delivery ledger."""
