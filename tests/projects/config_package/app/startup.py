from app.config import load_catalog

CATALOG = load_catalog()
