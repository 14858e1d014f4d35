try: from helpers import load
except ImportError: load = None

DATA = load()
