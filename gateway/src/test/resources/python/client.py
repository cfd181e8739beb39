# A third-party WebSocket client (the 'websockets' package) exercising the gateway.
# usage: client.py URL [CA_FILE]; prints OK and exits 0 when every check passed.
import asyncio
import os
import ssl
import sys
import websockets


async def main(url, cafile):
    context = None
    if url.startswith("wss:"):
        context = ssl.create_default_context(cafile=cafile)
    async with websockets.connect(url, ssl=context, max_size=None) as ws:
        await ws.send("héllo wörld ✓")
        assert await ws.recv() == "héllo wörld ✓", "text differs"
        data = os.urandom(4096)
        await ws.send(data)
        assert await ws.recv() == data, "binary differs"
        big = os.urandom(1024 * 1024)
        await ws.send(big)
        assert await ws.recv() == big, "1 MiB binary differs"
        await ws.send(["frag0-", "frag1-", "frag2-", "frag3-", "frag4"])
        assert await ws.recv() == "frag0-frag1-frag2-frag3-frag4", "fragmented message differs"
        pong = await ws.ping(b"are you there")
        await asyncio.wait_for(pong, 5)
        await ws.close(1000, "done")
        assert ws.close_code == 1000, "close code %s" % ws.close_code
    print("OK")

asyncio.run(main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else None))
