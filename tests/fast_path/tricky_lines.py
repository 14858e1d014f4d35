import asyncio

x = 1; y = asyncio.run(asyncio.sleep(0, 1))
z = "unterminated \" quote inside"; w = asyncio.get_event_loop()
v = '''triple ' " '' still string
asyncio.run(nothing)'''
u = (  # asyncio.run in a comment inside brackets
    1,
)
if __name__ != "__main__":
    t = asyncio.run(asyncio.sleep(0))
