"""An import after `;` binds the name the loop call uses."""
import os; from asyncio import new_event_loop as make_loop

LOOP = make_loop()
SEP = os.sep
