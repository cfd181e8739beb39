# A third-party WebSocket backend (the 'websockets' package): echoes every message.
# Prints the port it listens on, then serves until killed.
import asyncio
import websockets


async def echo(ws, path=None):
    async for message in ws:
        await ws.send(message)


async def main():
    async with websockets.serve(echo, "127.0.0.1", 0, max_size=None) as server:
        print(server.sockets[0].getsockname()[1], flush=True)
        await asyncio.Future()

asyncio.run(main())
