"""A script that imports the database module too, and serves no app."""

import db

print(db.applied_migrations())
