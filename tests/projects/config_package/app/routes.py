from fastapi import APIRouter

from app.config import SETTINGS

router = APIRouter()


@router.get("/region")
async def region():
    return {"region": SETTINGS["region"]}
