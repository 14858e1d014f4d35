import app.jobs
from app.routes import router

__all__ = ["app", "router"]
