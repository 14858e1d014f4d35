"""Bare loop names that resolve to asyncio only through an import further down, or in a
block the lexical pass does not read: the fast path must still ask for the parse."""
from typing import TYPE_CHECKING

CURRENT = get_event_loop()

if TYPE_CHECKING:
    from asyncio import new_event_loop

LOOP = new_event_loop()

from asyncio import get_event_loop
